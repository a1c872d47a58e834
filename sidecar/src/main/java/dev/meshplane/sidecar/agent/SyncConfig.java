package dev.meshplane.sidecar.agent;

import java.time.Duration;

/**
 * How the agent keeps the catalog in step with its local state. Defaults are Consul's.
 *
 * @param fullSyncInterval    base period of the full comparison with the catalog (Consul's
 *                            ae_interval, 1 min), scaled up with cluster size and jittered
 * @param checkUpdateInterval an output-only change of a check is written at most this often
 *                            (Consul's check_update_interval, 5 min); zero writes every change
 * @param retryInterval       wait after a failed sync before trying again (Consul: 15 s)
 * @param writeTimeout        deadline of one catalog call, and how long an API call waits for
 *                            its change to reach the catalog before answering "not yet synced"
 */
public record SyncConfig(Duration fullSyncInterval, Duration checkUpdateInterval, Duration retryInterval,
                         Duration writeTimeout) {
    public static final SyncConfig DEFAULTS = new SyncConfig(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofSeconds(15), Duration.ofSeconds(30));

    /** Consul scales the interval once the cluster has more nodes than this. */
    static final int SCALE_THRESHOLD = 128;

    public SyncConfig {
        positive("fullSyncInterval", fullSyncInterval);
        positive("retryInterval", retryInterval);
        positive("writeTimeout", writeTimeout);
        if (checkUpdateInterval == null || checkUpdateInterval.isNegative()) {
            throw new IllegalArgumentException("checkUpdateInterval " + checkUpdateInterval + " must not be negative");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " " + d + " must be positive");
        }
    }

    /** Consul's scale factor: 1 up to 128 nodes, then +1 per doubling (2 at 256, 3 at 512, 4 at 1024). */
    static int scaleFactor(int nodes) {
        if (nodes <= SCALE_THRESHOLD) {
            return 1;
        }
        return (int) Math.ceil(Math.log(nodes) / Math.log(2) - Math.log(SCALE_THRESHOLD) / Math.log(2)) + 1;
    }

    /** The full-sync period for a cluster of {@code nodes}, before jitter. */
    Duration scaledFullSyncInterval(int nodes) {
        return fullSyncInterval.multipliedBy(scaleFactor(nodes));
    }
}
