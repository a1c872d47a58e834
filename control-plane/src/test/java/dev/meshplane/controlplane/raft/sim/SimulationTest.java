package dev.meshplane.controlplane.raft.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many seeded runs of {@link Simulation}. Defaults: 1,000 runs from seed 1. Properties:
 * {@code -Draft.sim.runs=N} (how many), {@code -Draft.sim.firstSeed=S} (where to start),
 * {@code -Draft.sim.seed=S} (replay exactly one run, printing its whole trace),
 * {@code -Draft.sim.threads=T} (parallel runs; default 2).
 */
class SimulationTest {
    @Test
    void seededRunsKeepRaftSafeLiveAndLinearizable() throws Exception {
        String replay = System.getProperty("raft.sim.seed");
        if (replay != null) {
            Simulation.Outcome o = new Simulation(SimOptions.random(Long.parseLong(replay), SimOptions.Mutation.NONE), true).run();
            System.out.println(o.options());
            System.out.println(o.stats());
            if (o.failure() != null) {
                fail("seed " + replay + " failed: " + o.failure());
            }
            return;
        }
        int runs = Integer.getInteger("raft.sim.runs", 1000);
        long first = Long.getLong("raft.sim.firstSeed", 1);
        int threads = Integer.getInteger("raft.sim.threads", 2);
        List<Simulation.Outcome> outcomes = runAll(first, runs, threads, SimOptions.Mutation.NONE);
        Map<String, Long> totals = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long maxRecovery = 0;
        long slowestSeed = 0;
        for (Simulation.Outcome o : outcomes) {
            o.stats().forEach((k, v) -> totals.merge(k, v, Long::sum));
            long recovery = o.stats().getOrDefault("recoverySteps", 0L);
            if (recovery > maxRecovery) {
                maxRecovery = recovery;
                slowestSeed = o.options().seed();
            }
            if (o.failure() != null) {
                failures.add("seed " + o.options().seed() + ": " + o.failure()
                        + "\n  options: " + o.options()
                        + "\n  replay: ./mvnw -q -pl control-plane -am test -Dtest=SimulationTest"
                        + " -Dsurefire.failIfNoSpecifiedTests=false -Draft.sim.seed=" + o.options().seed()
                        + "\n  last events:\n" + o.trace());
            }
        }
        System.out.println("raft simulation: " + runs + " runs from seed " + first + ", totals " + totals
                + ", slowest recovery " + maxRecovery + " steps (seed " + slowestSeed + ")");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + runs + " runs failed; first:\n" + failures.get(0));
        }
        assertTrue(totals.getOrDefault("operations", 0L) > runs * 10L, "clients completed too few operations: " + totals);
    }

    static List<Simulation.Outcome> runAll(long first, int runs, int threads, SimOptions.Mutation mutation) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Simulation.Outcome>> futures = new ArrayList<>();
            for (long seed = first; seed < first + runs; seed++) {
                long s = seed;
                futures.add(pool.submit(() -> new Simulation(SimOptions.random(s, mutation), false).run()));
            }
            List<Simulation.Outcome> outcomes = new ArrayList<>();
            for (Future<Simulation.Outcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
