package dev.meshplane.controlplane.raft.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulation's checks must be able to fail: with a deliberate bug in the driver, some seeds
 * must be caught. (A checker that never fails proves nothing.)
 */
class SimulationTeethTest {
    @Test
    void staleReadsAreCaughtByTheLinearizabilityChecker() throws Exception {
        List<Simulation.Outcome> outcomes = SimulationTest.runAll(1, 100, 2, SimOptions.Mutation.STALE_READS);
        long caught = outcomes.stream().filter(o -> o.failure() != null && o.failure().startsWith("linearizability")).count();
        System.out.println("stale reads: " + caught + " of 100 runs caught");
        assertTrue(caught > 0, "no run caught reads served from a stale replica");
    }

    @Test
    void acknowledgingBeforePersistingIsCaught() throws Exception {
        List<Simulation.Outcome> outcomes = SimulationTest.runAll(1, 200, 2, SimOptions.Mutation.SEND_BEFORE_PERSIST);
        List<String> failures = outcomes.stream().map(Simulation.Outcome::failure).filter(f -> f != null).toList();
        System.out.println("send before persist: " + failures.size() + " of 200 runs caught; first: "
                + failures.stream().findFirst().map(f -> f.lines().findFirst().orElse("")).orElse("none"));
        assertTrue(!failures.isEmpty(), "no run caught messages sent before their Ready was persisted");
    }
}
