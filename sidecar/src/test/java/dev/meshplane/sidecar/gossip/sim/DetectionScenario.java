package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kills members one after another and measures, per victim, how long until the first member
 * suspects it, the first declares it dead, and every running member knows it is dead.
 */
public final class DetectionScenario {
  /** Per-victim times in ms after the kill; -1 if never within the limit. */
  public record Result(Percentiles firstSuspect, Percentiles firstDead, Percentiles allKnowDead, int victims,
      int undetected) {}

  private DetectionScenario() {}

  public static Result run(SimCluster c, int kills, long spacingMillis, long limitMillis, long seed) {
    Map<String, Long> killedAt = new HashMap<>();
    Map<String, Long> firstSuspect = new HashMap<>();
    Map<String, Map<String, Long>> deadAt = new HashMap<>();
    SimCluster.Observer observer = (time, node, event) -> {
      if (event instanceof MemberEvent m && killedAt.containsKey(m.member().name())) {
        String victim = m.member().name();
        if (m.kind() == Kind.SUSPECTED) {
          firstSuspect.putIfAbsent(victim, time);
        } else if (m.kind() == Kind.FAILED) {
          deadAt.computeIfAbsent(victim, v -> new HashMap<>()).putIfAbsent(node.name, time);
        }
      }
    };
    c.observe(observer);
    List<SimNode> victims = SimRun.pick(c, kills, seed ^ 0x5EEDL);
    Set<String> victimNames = new HashSet<>();
    for (SimNode v : victims) {
      victimNames.add(v.name);
    }
    for (SimNode v : victims) {
      killedAt.put(v.name, c.now());
      c.kill(v);
      c.runFor(spacingMillis);
    }
    long limit = c.now() + limitMillis;
    List<SimNode> witnesses = c.nodes().stream().filter(n -> n.running() && !victimNames.contains(n.name)).toList();
    c.runUntil(() -> victims.stream().allMatch(v -> deadAt.getOrDefault(v.name, Map.of()).size() >= witnesses.size()),
        limit);
    c.stopObserving(observer);

    Percentiles suspect = new Percentiles();
    Percentiles first = new Percentiles();
    Percentiles all = new Percentiles();
    int undetected = 0;
    for (SimNode v : victims) {
      long t0 = killedAt.get(v.name);
      Map<String, Long> seen = deadAt.getOrDefault(v.name, Map.of());
      if (firstSuspect.containsKey(v.name)) {
        suspect.add(firstSuspect.get(v.name) - t0);
      }
      long earliest = Long.MAX_VALUE;
      long latest = Long.MIN_VALUE;
      int known = 0;
      for (SimNode w : witnesses) {
        Long t = seen.get(w.name);
        if (t != null) {
          known++;
          earliest = Math.min(earliest, t);
          latest = Math.max(latest, t);
        }
      }
      if (known > 0) {
        first.add(earliest - t0);
      }
      if (known == witnesses.size()) {
        all.add(latest - t0);
      } else {
        undetected++;
      }
    }
    return new Result(suspect, first, all, victims.size(), undetected);
  }

  static boolean isFailure(GossipEvent e) {
    return e instanceof MemberEvent m && m.kind() == Kind.FAILED;
  }
}
