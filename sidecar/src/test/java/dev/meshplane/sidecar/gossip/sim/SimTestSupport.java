package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.MemberStatus;
import java.util.List;

/** Builds and inspects simulated clusters. */
public final class SimTestSupport {
  private SimTestSupport() {}

  /** Adds {@code n} members named m0..m(n-1); each joins through m0, one every {@code spacing} ms. */
  public static List<SimNode> startCluster(SimCluster cluster, int n, long spacingMillis) {
    SimNode seed = cluster.add("m0");
    for (int i = 1; i < n; i++) {
      SimNode node = cluster.add("m" + i);
      cluster.join(node, seed);
      cluster.runFor(spacingMillis);
    }
    return cluster.nodes();
  }

  /** True when every running member sees every other running member alive. */
  public static boolean converged(SimCluster cluster) {
    List<SimNode> running = cluster.nodes().stream().filter(SimNode::running).toList();
    for (SimNode observer : running) {
      if (observer.core.stats().liveMembers() != running.size()) {
        return false;
      }
      for (SimNode other : running) {
        var m = observer.core.member(other.name);
        if (m.isEmpty() || m.get().status() != MemberStatus.ALIVE) {
          return false;
        }
      }
    }
    return true;
  }

  /** How many running members (other than {@code subject}) see it in {@code status}. */
  public static int seenAs(SimCluster cluster, SimNode subject, MemberStatus status) {
    int count = 0;
    for (SimNode observer : cluster.nodes()) {
      if (observer != subject && observer.running()
          && observer.core.member(subject.name).map(m -> m.status() == status).orElse(false)) {
        count++;
      }
    }
    return count;
  }

  public static int runningCount(SimCluster cluster) {
    return (int) cluster.nodes().stream().filter(SimNode::running).count();
  }
}
