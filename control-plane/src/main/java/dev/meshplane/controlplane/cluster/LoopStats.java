package dev.meshplane.controlplane.cluster;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * What the Raft loop did per write, logged every {@link #PROPERTY} seconds when that system property
 * is set (off by default): Readies handled, log fsyncs and hard-state saves, entries persisted,
 * messages sent, entries applied, and the loop thread's CPU. The benchmark turns it on to see the
 * cost of a write on each server. Loop thread only.
 */
final class LoopStats {
    private static final Logger LOG = Logger.getLogger(LoopStats.class.getName());
    /** Seconds between log lines; unset or 0 means off. */
    static final String PROPERTY = "meshplane.raft.stats";

    private final String id;
    private final long periodNanos = Long.getLong(PROPERTY, 0) * 1_000_000_000L;
    private long since = System.nanoTime();
    private long cpuSince = cpu();
    long readies;
    long fsyncs;
    long hardStateSaves;
    long entriesPersisted;
    long messagesSent;
    long entriesApplied;
    long proposals;

    LoopStats(String id) {
        this.id = id;
    }

    boolean enabled() {
        return periodNanos > 0;
    }

    /** Logs and resets the counters once a period has passed. */
    void maybeLog() {
        long now = System.nanoTime();
        if (periodNanos == 0 || now - since < periodNanos) {
            return;
        }
        long cpuNow = cpu();
        double seconds = (now - since) / 1e9;
        long applied = Math.max(1, entriesApplied);
        LOG.info(String.format(Locale.ROOT, "raft stats %s: %.1f s, %d proposals, %d applied, %d readies, "
                        + "%d fsyncs (%.1f entries each), %d hard-state saves, %d messages sent, loop CPU %.0f us/applied",
                id, seconds, proposals, entriesApplied, readies, fsyncs,
                fsyncs == 0 ? 0.0 : entriesPersisted / (double) fsyncs, hardStateSaves, messagesSent,
                (cpuNow - cpuSince) / 1e3 / applied));
        since = now;
        cpuSince = cpuNow;
        readies = fsyncs = hardStateSaves = entriesPersisted = messagesSent = entriesApplied = proposals = 0;
    }

    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
