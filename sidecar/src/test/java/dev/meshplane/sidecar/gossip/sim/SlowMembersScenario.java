package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipConfig;

/**
 * Slows a fraction of the members (every message they receive waits a further uniform
 * [0, delay] before it is processed: CPU starvation of the receive path, timers on time) and
 * counts false positives, on the same seed and the same slowed members, with Lifeguard on and
 * with plain SWIM.
 */
public final class SlowMembersScenario {
  public record Result(FalsePositiveCounter lifeguard, FalsePositiveCounter swim) {
    /** The reduction at healthy members, as text (a lower bound when Lifeguard had none). */
    public String ratio() {
      long on = lifeguard.atHealthy;
      long off = swim.atHealthy;
      if (on == 0) {
        return off == 0 ? "n/a (0 vs 0)" : ">= " + off + "x (" + off + " vs 0)";
      }
      return String.format(java.util.Locale.ROOT, "%.1fx (%d vs %d)", (double) off / on, off, on);
    }
  }

  private SlowMembersScenario() {}

  public static Result run(long seed, int members, double slowFraction, long delayMillis, long observeMillis,
      GossipConfig base) {
    FalsePositiveCounter[] counters = new FalsePositiveCounter[2];
    for (int lifeguard = 0; lifeguard < 2; lifeguard++) {
      GossipConfig config = base.toBuilder().lifeguard(lifeguard == 0).build();
      SimCluster c = SimRun.converged(seed, members, config, SimNetworkConfig.lan(), 30_000);
      for (SimNode n : SimRun.pick(c, (int) Math.round(slowFraction * members), seed ^ 0x510L)) {
        n.slow = true;
      }
      c.setNetwork(SimNetworkConfig.lan().withSlowDelay(delayMillis));
      FalsePositiveCounter fp = new FalsePositiveCounter(c);
      c.observe(fp);
      c.runFor(observeMillis);
      counters[lifeguard] = fp;
    }
    return new Result(counters[0], counters[1]);
  }
}
