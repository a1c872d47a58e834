package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import java.util.HashSet;
import java.util.Set;

/**
 * Counts false positives: a member marking as FAILED another member that is in fact running.
 * Each FAILED event is one false positive (what that member would log), split by
 * whether the victim is healthy or slowed, and by whether the observer's own suspicion timer
 * fired (memberlist's "Marking X as failed, suspect timeout reached").
 */
public final class FalsePositiveCounter implements SimCluster.Observer {
  private final SimCluster cluster;
  private final Set<String> victimsHealthy = new HashSet<>();
  private final Set<String> victimsSlow = new HashSet<>();
  public long atHealthy;
  public long atSlow;
  public long atHealthyByOwnTimer;
  /** False positives at healthy members as seen by healthy observers (the slowed ones excluded). */
  public long atHealthySeenByHealthy;
  public long atSlowByOwnTimer;
  public long suspicionsOfHealthy;
  public long suspicionsOfSlow;
  /** Suspicions raised by a member's own failed probe (not learned from gossip). */
  public long raisedAgainstHealthy;
  public long raisedAgainstSlow;

  public FalsePositiveCounter(SimCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public void onEvent(long time, SimNode observer, GossipEvent event) {
    if (!(event instanceof MemberEvent m)) {
      return;
    }
    SimNode victim = cluster.node(m.member().name());
    if (victim == null || !victim.running()) {
      return;
    }
    boolean ownTimer = m.reportedBy().equals(observer.core.name());
    if (m.kind() == Kind.SUSPECTED) {
      if (victim.slow) {
        suspicionsOfSlow++;
        raisedAgainstSlow += ownTimer ? 1 : 0;
      } else {
        suspicionsOfHealthy++;
        raisedAgainstHealthy += ownTimer ? 1 : 0;
      }
    } else if (m.kind() == Kind.FAILED) {
      if (victim.slow) {
        atSlow++;
        atSlowByOwnTimer += ownTimer ? 1 : 0;
        victimsSlow.add(victim.name);
      } else {
        atHealthy++;
        atHealthyByOwnTimer += ownTimer ? 1 : 0;
        atHealthySeenByHealthy += observer.slow ? 0 : 1;
        victimsHealthy.add(victim.name);
      }
    }
  }

  public int distinctHealthyVictims() {
    return victimsHealthy.size();
  }

  public int distinctSlowVictims() {
    return victimsSlow.size();
  }

  public long total() {
    return atHealthy + atSlow;
  }
}
