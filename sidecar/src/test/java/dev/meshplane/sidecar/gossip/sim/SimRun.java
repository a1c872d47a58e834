package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds a converged simulated cluster for a measurement: every member joined, queues drained. */
public final class SimRun {
  private SimRun() {}

  /**
   * Starts {@code members} members joining through m0 (2 ms apart), runs until every member
   * sees every other alive, then lets broadcast queues drain for {@code settleMillis}.
   */
  public static SimCluster converged(long seed, int members, GossipConfig config, SimNetworkConfig net,
      long settleMillis) {
    SimCluster c = new SimCluster(seed, config, net);
    SimTestSupport.startCluster(c, members, 2);
    long limit = c.now() + 600_000;
    while (!SimTestSupport.converged(c)) {
      if (c.now() > limit) {
        throw new IllegalStateException("seed " + seed + ": " + members + " members did not converge in 600 s");
      }
      c.runFor(5_000);
    }
    c.runFor(settleMillis);
    return c;
  }

  /** {@code count} distinct members chosen by a generator seeded from {@code seed}. */
  public static List<SimNode> pick(SimCluster c, int count, long seed) {
    List<SimNode> all = new ArrayList<>(c.nodes());
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = all.size() - 1; i > 0; i--) {
      java.util.Collections.swap(all, i, random.nextInt(i + 1));
    }
    return all.subList(0, Math.min(count, all.size()));
  }
}
