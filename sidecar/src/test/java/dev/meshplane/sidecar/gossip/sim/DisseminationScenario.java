package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import java.util.List;
import java.util.Map;

/** Changes one member's tags and measures how long until a fraction of the others applied it. */
public final class DisseminationScenario {
  private DisseminationScenario() {}

  /** Times (ms) for each of {@code trials} updates to reach {@code fraction} of the other running members. */
  public static Percentiles run(SimCluster c, int trials, double fraction, long limitMillis, long seed) {
    Percentiles out = new Percentiles();
    List<SimNode> sources = SimRun.pick(c, trials, seed ^ 0xD155L).stream().filter(SimNode::running).toList();
    int others = SimTestSupport.runningCount(c) - 1;
    int needed = (int) Math.ceil(fraction * others);
    for (int trial = 0; trial < sources.size(); trial++) {
      SimNode source = sources.get(trial);
      String version = "trial-" + trial;
      int[] reached = {0};
      SimCluster.Observer observer = (time, node, event) -> {
        if (node != source && event instanceof MemberEvent m && m.kind() == Kind.UPDATED
            && m.member().name().equals(source.core.name()) && version.equals(m.member().tags().get("build"))) {
          reached[0]++;
        }
      };
      c.observe(observer);
      long start = c.now();
      c.updateTags(source, Map.of("role", "client", "build", version));
      boolean done = c.runUntil(() -> reached[0] >= needed, start + limitMillis);
      c.stopObserving(observer);
      out.add(done ? c.now() - start : -1);
      c.runFor(2_000);
    }
    return out;
  }
}
