package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.controlplane.raft.RaftConfig;
import java.util.random.RandomGenerator;

/**
 * The knobs of one simulated run, all drawn from its seed so that the seed alone replays it.
 * Time is counted in steps; a node ticks roughly every {@link #STEPS_PER_TICK} steps, and a
 * message takes a few steps, so a round trip is well under a tick unless the network is slow.
 */
record SimOptions(
        long seed,
        int voters,
        boolean preVote,
        boolean checkQuorum,
        RaftConfig.ReadOnlyOption readOnly,
        int maxInflight,
        long maxSizePerMessage,
        int clients,
        int keys,
        int chaosSteps,
        double lossRate,
        double duplicateRate,
        int maxDelay,
        double slowMessageRate,
        double partitionRate,
        double crashRate,
        double confChangeRate,
        double transferRate,
        double diskReadyRate,
        double crashMidReadyRate,
        int compactEvery,
        Mutation mutation) {

    static final int STEPS_PER_TICK = 10;
    static final int ELECTION_TICKS = 10;
    /**
     * After the faults stop, a leader must commit a new write on every live member within this:
     * 60 election timeouts. Recovery usually takes one or two; the slowest seen in 6,000 runs
     * took 37 (pre-vote off, a stale server and an up-to-date one campaigning in the same terms).
     */
    static final int LIVENESS_BOUND_STEPS = 60 * ELECTION_TICKS * STEPS_PER_TICK;

    /** Deliberate bugs used to show that the checks catch them; NONE in every real run. */
    enum Mutation {
        NONE,
        /** Answer reads from the contacted server's state with no ReadIndex. */
        STALE_READS,
        /** Send a Ready's messages before persisting it (acknowledging what may be lost). */
        SEND_BEFORE_PERSIST
    }

    static SimOptions random(long seed, Mutation mutation) {
        RandomGenerator r = SimRandom.create(seed ^ 0x5DEECE66DL);
        boolean checkQuorum = r.nextInt(4) != 0;
        boolean lease = checkQuorum && r.nextInt(3) == 0;
        return new SimOptions(
                seed,
                r.nextInt(3) == 0 ? 5 : 3,
                r.nextInt(4) != 0,
                checkQuorum,
                lease ? RaftConfig.ReadOnlyOption.LEASE_BASED : RaftConfig.ReadOnlyOption.SAFE,
                1 + r.nextInt(4),
                // Small messages so that catching up takes several batches.
                64 + r.nextInt(512),
                2 + r.nextInt(4),
                1 + r.nextInt(4),
                1000 + r.nextInt(1500),
                r.nextDouble() * 0.15,
                r.nextDouble() * 0.05,
                2 + r.nextInt(8),
                r.nextDouble() * 0.05,
                0.0005 + r.nextDouble() * 0.002,
                0.0003 + r.nextDouble() * 0.001,
                0.002 + r.nextDouble() * 0.004,
                r.nextDouble() * 0.001,
                0.6 + r.nextDouble() * 0.4,
                // Sending before persisting only loses data if a crash follows: make them common.
                mutation == Mutation.SEND_BEFORE_PERSIST ? 0.02 : r.nextDouble() * 0.002,
                10 + r.nextInt(40),
                mutation);
    }

    RaftConfig raftConfig(String id) {
        return RaftConfig.defaults(id)
                .withTicks(ELECTION_TICKS, 1, ELECTION_TICKS / 2)
                .withPreVote(preVote)
                .withCheckQuorum(checkQuorum)
                .withReadOnly(readOnly)
                .withFlowControl(maxSizePerMessage, maxInflight);
    }
}
