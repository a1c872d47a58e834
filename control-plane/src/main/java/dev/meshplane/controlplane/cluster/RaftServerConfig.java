package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.raft.RaftConfig;
import dev.meshplane.controlplane.raft.storage.StorageConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a replicated server: its identity, where it keeps Raft's state, how it finds its
 * peers, and the Raft core's settings.
 *
 * @param id                this server's Raft ID (the node name: unique in the datacenter)
 * @param advertiseAddress  the server RPC address ("host:port") peers reach it on
 * @param dataDir           where the log, hard state, snapshots and address book live
 * @param datacenter        the datacenter; servers of another one are not joined
 * @param bootstrapExpect   found a new cluster once this many servers (this one included) are
 *                          seen; 0 joins an existing cluster instead
 * @param joinAddresses     server RPC addresses to discover peers and the leader through
 * @param tick              the core's tick; every Raft timeout is a multiple of it
 * @param raft              the core's settings (ID must equal {@code id})
 * @param storage           the log's and snapshot store's settings
 * @param snapshotThreshold take a snapshot after this many entries since the last one
 * @param trailingLogs      entries kept behind a snapshot, so a follower slightly behind catches
 *                          up from the log rather than with a whole snapshot
 */
public record RaftServerConfig(String id, String advertiseAddress, Path dataDir, String datacenter,
                               int bootstrapExpect, List<String> joinAddresses, Duration tick, RaftConfig raft,
                               StorageConfig storage, long snapshotThreshold, long trailingLogs) {
    /** 100 ms ticks with the core's defaults (1-2 s elections): Consul's raft_multiplier 1. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(100);
    /** hashicorp/raft's snapshot_threshold and trailing_logs as Consul sets them. */
    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 16_384;
    public static final long DEFAULT_TRAILING_LOGS = 10_240;

    public RaftServerConfig {
        joinAddresses = List.copyOf(joinAddresses);
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty");
        }
        if (!raft.id().equals(id)) {
            throw new IllegalArgumentException("raft id " + raft.id() + " must equal the server id " + id);
        }
        if (bootstrapExpect < 0) {
            throw new IllegalArgumentException("bootstrapExpect " + bootstrapExpect + " must not be negative");
        }
        if (bootstrapExpect == 0 && joinAddresses.isEmpty()) {
            throw new IllegalArgumentException("a server with bootstrapExpect 0 joins a cluster: give join addresses");
        }
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick " + tick + " must be positive");
        }
        if (snapshotThreshold < 1) {
            throw new IllegalArgumentException("snapshotThreshold " + snapshotThreshold + " must be positive");
        }
        if (trailingLogs < 0) {
            throw new IllegalArgumentException("trailingLogs " + trailingLogs + " must not be negative");
        }
    }

    public static RaftServerConfig of(String id, String advertiseAddress, Path dataDir, String datacenter,
                                      int bootstrapExpect, List<String> joinAddresses) {
        return new RaftServerConfig(id, advertiseAddress, dataDir, datacenter, bootstrapExpect, joinAddresses,
                DEFAULT_TICK, RaftConfig.defaults(id), StorageConfig.DEFAULTS, DEFAULT_SNAPSHOT_THRESHOLD,
                DEFAULT_TRAILING_LOGS);
    }

    public RaftServerConfig withSnapshots(long threshold, long trailing) {
        return new RaftServerConfig(id, advertiseAddress, dataDir, datacenter, bootstrapExpect, joinAddresses, tick,
                raft, storage, threshold, trailing);
    }

    /** The election timeout's lower bound in wall time. */
    public Duration electionTimeout() {
        return tick.multipliedBy(raft.electionTicks());
    }
}
