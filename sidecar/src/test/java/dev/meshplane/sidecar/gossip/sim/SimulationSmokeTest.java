package dev.meshplane.sidecar.gossip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.GossipConfig;
import org.junit.jupiter.api.Test;

/**
 * The measurement scenarios on a 100-member cluster, short enough for every build. The
 * 1,000-member figures come from {@link GossipSimulation} (see docs/gossip.md). Simulated time
 * is deterministic, so the bounds below are behaviour of this seed, not wall-clock timing.
 */
class SimulationSmokeTest {
  private static final long SEED = 7;
  private static final int MEMBERS = 100;
  private final GossipConfig lan = GossipConfig.lan();

  @Test
  void anUpdateReachesEveryMemberAndKilledMembersAreKnownDeadByAll() {
    SimCluster c = SimRun.converged(SEED, MEMBERS, lan, SimNetworkConfig.lan(), 20_000);
    Percentiles spread = DisseminationScenario.run(c, 5, 1.0, 10_000, SEED);
    assertTrue(spread.at(100) >= 0 && spread.at(100) <= 3_000, "update reached all 99 others: " + spread.summary());

    DetectionScenario.Result r = DetectionScenario.run(c, 3, 2_000, 60_000, SEED);
    assertEquals(0, r.undetected(), "every killed member is known dead by every running member");
    // N = 100: the minimum suspicion timeout is 4 x log10(100) x 1 s = 8 s; nobody is declared
    // dead before it, and the whole cluster knows within a few seconds more.
    assertTrue(r.firstDead().at(1) >= 8_000, "first declared dead " + r.firstDead().summary());
    assertTrue(r.allKnowDead().max() <= 25_000, "all know dead " + r.allKnowDead().summary());
  }

  @Test
  void tenPercentLossCausesNoFalseDeaths() {
    SimCluster c = SimRun.converged(SEED, MEMBERS, lan, SimNetworkConfig.lan(), 10_000);
    c.setNetwork(SimNetworkConfig.lan().withLoss(0.10));
    FalsePositiveCounter fp = new FalsePositiveCounter(c);
    c.observe(fp);
    c.runFor(60_000);
    assertTrue(c.packetsLost() > 0);
    assertEquals(0, fp.total(), "false-positive deaths under 10% loss");
  }

  @Test
  void lifeguardCutsFalsePositivesCausedBySlowedMembers() {
    SlowMembersScenario.Result r = SlowMembersScenario.run(SEED, MEMBERS, 0.2, 25_000, 60_000, lan);
    assertTrue(r.swim().atHealthy > 0, "plain SWIM marks healthy members failed: " + r.swim().atHealthy);
    assertTrue(r.lifeguard().atHealthy * 10 <= r.swim().atHealthy,
        "Lifeguard " + r.lifeguard().atHealthy + " vs SWIM " + r.swim().atHealthy + ": " + r.ratio());
    assertTrue(r.lifeguard().raisedAgainstHealthy < r.swim().raisedAgainstHealthy);
  }
}
