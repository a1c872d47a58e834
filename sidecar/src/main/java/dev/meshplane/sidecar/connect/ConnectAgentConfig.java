package dev.meshplane.sidecar.connect;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's mesh settings, every default in {@link #defaults()}.
 *
 * @param certFilesDir           where each mesh service's cert, key and roots files are written;
 *                               empty writes none
 * @param leafTtl                the lifetime asked for each leaf; empty takes the servers' default
 * @param closeDeniedConnections whether a connection that an intention change now denies is
 *                               closed (Consul keeps established connections: false)
 * @param ioThreads              event-loop threads shared by all proxy listeners
 * @param connectTimeout         how long an upstream waits for one instance's TCP connect and
 *                               TLS handshake before trying the next
 * @param maxRetryBackoff        the longest wait between failed CSR or watch attempts
 * @param renewalSpeedup         divides the wait until each renewal: 1 in production; tests use
 *                               more, because the CA never issues leaves shorter than 1 h
 */
public record ConnectAgentConfig(Optional<Path> certFilesDir, Optional<Duration> leafTtl,
                                 boolean closeDeniedConnections, int ioThreads, Duration connectTimeout,
                                 Duration maxRetryBackoff, double renewalSpeedup) {
    public ConnectAgentConfig {
        if (certFilesDir == null || leafTtl == null) {
            throw new IllegalArgumentException("certFilesDir and leafTtl must be given (Optional.empty() for none)");
        }
        if (ioThreads < 1 || ioThreads > 256) {
            throw new IllegalArgumentException("ioThreads " + ioThreads + " must be 1-256");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout " + connectTimeout + " must be positive");
        }
        if (maxRetryBackoff == null || maxRetryBackoff.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("maxRetryBackoff " + maxRetryBackoff + " must be at least 100ms");
        }
        if (!(renewalSpeedup >= 1) || Double.isInfinite(renewalSpeedup)) {
            throw new IllegalArgumentException("renewalSpeedup " + renewalSpeedup + " must be a finite number >= 1");
        }
        leafTtl.ifPresent(ttl -> {
            if (ttl.compareTo(Duration.ofHours(1)) < 0 || ttl.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("leafTtl " + ttl + " must be between 1h and 8760h");
            }
        });
    }

    public static ConnectAgentConfig defaults() {
        return new ConnectAgentConfig(
                Optional.empty(),                                    // no files unless a dir is given
                Optional.empty(),                                    // the servers' leaf TTL (72 h)
                false,                                               // Consul: intentions gate new connections only
                Math.max(2, Runtime.getRuntime().availableProcessors()), // one loop per core
                Duration.ofSeconds(2),                               // a healthy peer answers far sooner
                Duration.ofSeconds(30),                              // as the agent's other retries
                1);                                                  // real time
    }

    public ConnectAgentConfig withCertFilesDir(Path dir) {
        return new ConnectAgentConfig(Optional.of(dir), leafTtl, closeDeniedConnections, ioThreads, connectTimeout,
                maxRetryBackoff, renewalSpeedup);
    }

    public ConnectAgentConfig withLeafTtl(Duration ttl) {
        return new ConnectAgentConfig(certFilesDir, Optional.of(ttl), closeDeniedConnections, ioThreads,
                connectTimeout, maxRetryBackoff, renewalSpeedup);
    }

    public ConnectAgentConfig withCloseDeniedConnections(boolean close) {
        return new ConnectAgentConfig(certFilesDir, leafTtl, close, ioThreads, connectTimeout, maxRetryBackoff,
                renewalSpeedup);
    }

    /** Renewal waits divided by {@code speedup}: for tests only. */
    public ConnectAgentConfig withRenewalSpeedup(double speedup) {
        return new ConnectAgentConfig(certFilesDir, leafTtl, closeDeniedConnections, ioThreads, connectTimeout,
                maxRetryBackoff, speedup);
    }
}
