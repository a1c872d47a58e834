package dev.meshplane.controlplane.raft;

/**
 * Settings of one Raft core. Time is counted in ticks: the driver calls {@link RaftNode#tick()}
 * at a fixed interval (for example every 100 ms), so every timeout here is a multiple of it.
 *
 * @param id                        this server's ID; never empty
 * @param electionTicks             a follower that hears nothing from a leader for a random
 *                                  number of ticks in [electionTicks, 2 * electionTicks) campaigns;
 *                                  also the check-quorum period and the follower's lease
 * @param heartbeatTicks            a leader sends heartbeats this often
 * @param leaseTicks                a leader may serve lease reads for this many ticks after a
 *                                  quorum acknowledged a message; must leave a margin below
 *                                  electionTicks for clock-rate drift between servers
 * @param preVote                   campaign only after a pre-vote round shows a quorum would vote
 * @param checkQuorum               a leader steps down when it has not heard from a quorum within
 *                                  electionTicks, and voters ignore campaigns while they hear from a
 *                                  leader (the lease); required for lease-based reads
 * @param readOnly                  how ReadIndex confirms leadership
 * @param maxSizePerMessage         append messages carry entries up to this many bytes (at least one)
 * @param maxInflightMessages       appends in flight per follower before the leader waits for acks
 * @param maxUncommittedBytes       a leader refuses proposals while this many bytes of entry data
 *                                  are appended but not yet applied
 * @param maxCommittedBytesPerReady one Ready hands out at most this many bytes of committed entries
 *                                  (at least one entry)
 */
public record RaftConfig(
        String id,
        int electionTicks,
        int heartbeatTicks,
        int leaseTicks,
        boolean preVote,
        boolean checkQuorum,
        ReadOnlyOption readOnly,
        long maxSizePerMessage,
        int maxInflightMessages,
        long maxUncommittedBytes,
        long maxCommittedBytesPerReady) {

    /** How a leader confirms it is still the leader before answering a ReadIndex request. */
    public enum ReadOnlyOption {
        /** A heartbeat round acknowledged by a quorum (always safe). */
        SAFE,
        /**
         * Answer at once while the leader lease is valid (needs check-quorum and bounded clock
         * drift); fall back to a heartbeat round when it is not.
         */
        LEASE_BASED
    }

    /** Defaults, all in one place. */
    public static RaftConfig defaults(String id) {
        return new RaftConfig(
                id,
                // 10 ticks of 100 ms: a 1-2 s election timeout, Consul's raft_multiplier 1.
                10,
                // One heartbeat per tick keeps followers' leases fresh and ReadIndex rounds short.
                1,
                // Half the election timeout, as Consul's leader lease (500 ms of 1 s): tolerates
                // clocks running up to 2x apart before a stale lease could be trusted.
                5,
                // Pre-vote stops a partitioned server from disrupting the cluster when it returns.
                true,
                // Needed for leader leases and so that a leader in a minority steps down.
                true,
                ReadOnlyOption.SAFE,
                // 1 MiB per append message: large enough for big batches, small enough for gRPC.
                1 << 20,
                // hashicorp/raft found deep pipelines hurt p99; a few appends in flight suffice.
                4,
                // 64 MiB of proposals waiting for commit before the leader pushes back.
                64L << 20,
                // 16 MiB of committed entries per Ready keeps apply batches bounded.
                16L << 20);
    }

    public RaftConfig {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("raft id must not be empty");
        }
        if (heartbeatTicks < 1) {
            throw new IllegalArgumentException("heartbeatTicks " + heartbeatTicks + " must be at least 1");
        }
        if (electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("electionTicks " + electionTicks
                    + " must exceed heartbeatTicks " + heartbeatTicks);
        }
        if (leaseTicks < 1 || leaseTicks >= electionTicks) {
            throw new IllegalArgumentException("leaseTicks " + leaseTicks
                    + " must be at least 1 and below electionTicks " + electionTicks);
        }
        if (readOnly == null) {
            throw new IllegalArgumentException("readOnly must be SAFE or LEASE_BASED, not null");
        }
        if (readOnly == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("readOnly LEASE_BASED needs checkQuorum true");
        }
        if (maxSizePerMessage < 1) {
            throw new IllegalArgumentException("maxSizePerMessage " + maxSizePerMessage + " must be positive");
        }
        if (maxInflightMessages < 1) {
            throw new IllegalArgumentException("maxInflightMessages " + maxInflightMessages + " must be at least 1");
        }
        if (maxUncommittedBytes < 1) {
            throw new IllegalArgumentException("maxUncommittedBytes " + maxUncommittedBytes + " must be positive");
        }
        if (maxCommittedBytesPerReady < 1) {
            throw new IllegalArgumentException("maxCommittedBytesPerReady " + maxCommittedBytesPerReady
                    + " must be positive");
        }
    }

    public RaftConfig withTicks(int election, int heartbeat, int lease) {
        return new RaftConfig(id, election, heartbeat, lease, preVote, checkQuorum, readOnly,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }

    public RaftConfig withPreVote(boolean on) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, leaseTicks, on, checkQuorum, readOnly,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }

    public RaftConfig withCheckQuorum(boolean on) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, leaseTicks, preVote, on, readOnly,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }

    public RaftConfig withReadOnly(ReadOnlyOption option) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, leaseTicks, preVote, checkQuorum, option,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }

    public RaftConfig withFlowControl(long maxSizePerMessage, int maxInflightMessages) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, leaseTicks, preVote, checkQuorum, readOnly,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }

    public RaftConfig withLimits(long maxUncommittedBytes, long maxCommittedBytesPerReady) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, leaseTicks, preVote, checkQuorum, readOnly,
                maxSizePerMessage, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady);
    }
}
