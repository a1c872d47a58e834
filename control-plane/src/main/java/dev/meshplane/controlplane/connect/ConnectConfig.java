package dev.meshplane.controlplane.connect;

import dev.meshplane.ca.CaConfig;
import dev.meshplane.ca.CsrRateLimiter;
import java.time.Duration;

/**
 * The servers' settings for the CA and intentions.
 *
 * @param datacenter            the datacenter named in every leaf's SPIFFE ID
 * @param ca                    leaf TTL, clock skew, root validity, CSR size limit
 * @param csrRate               CSR signings the leader accepts per second (0 = unlimited)
 * @param intentionDefaultAllow what is decided when no intention matches
 * @param pruneInterval         how often the leader looks for rotated-out roots to drop
 */
public record ConnectConfig(String datacenter, CaConfig ca, CsrRateLimiter.Config csrRate,
                            boolean intentionDefaultAllow, Duration pruneInterval) {
    /** Often enough that a root is dropped within minutes of its 2 x leaf TTL; cheap when nothing is due. */
    public static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(10);

    public ConnectConfig {
        if (datacenter == null || datacenter.isEmpty()) {
            throw new IllegalArgumentException("datacenter must be set");
        }
        if (ca == null || csrRate == null) {
            throw new IllegalArgumentException("ca and csrRate must be set");
        }
        if (pruneInterval == null || pruneInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("pruneInterval " + pruneInterval + " must be at least 1s");
        }
    }

    /** Consul's defaults: 72 h leaves, 50 CSRs/s, intentions default to allow. */
    public static ConnectConfig defaults(String datacenter) {
        return new ConnectConfig(datacenter, CaConfig.DEFAULTS, CsrRateLimiter.Config.DEFAULTS, true,
                DEFAULT_PRUNE_INTERVAL);
    }

    public ConnectConfig withIntentionDefaultAllow(boolean allow) {
        return new ConnectConfig(datacenter, ca, csrRate, allow, pruneInterval);
    }

    public ConnectConfig withCsrRate(CsrRateLimiter.Config rate) {
        return new ConnectConfig(datacenter, ca, rate, intentionDefaultAllow, pruneInterval);
    }

    public ConnectConfig withCa(CaConfig config) {
        return new ConnectConfig(datacenter, config, csrRate, intentionDefaultAllow, pruneInterval);
    }
}
