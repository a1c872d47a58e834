package dev.meshplane.controlplane.raft.sim;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** The one kind of random generator the simulation uses, so that a seed means the same run. */
final class SimRandom {
    private SimRandom() {}

    static RandomGenerator create(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }
}
