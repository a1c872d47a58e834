package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.MemberStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * All known members (self included) in a probe order that is shuffled on every pass, so that
 * each member is probed once per pass (SWIM's round-robin with bounded detection time) while
 * no two agents probe in the same order.
 */
final class MemberTable {
  private final Map<String, MemberRecord> byName = new HashMap<>();
  private final List<MemberRecord> order = new ArrayList<>();
  private final RandomGenerator random;
  private int probeIndex;
  private int liveCount;

  MemberTable(RandomGenerator random) {
    this.random = random;
  }

  MemberRecord get(String name) {
    return byName.get(name);
  }

  /** Adds at a random position, so that a new member is not always probed last. */
  void add(MemberRecord record) {
    if (byName.putIfAbsent(record.name, record) != null) {
      throw new IllegalStateException("member " + record.name + " already known");
    }
    int offset = random.nextInt(order.size() + 1);
    order.add(record);
    java.util.Collections.swap(order, offset, order.size() - 1);
    if (record.isLive()) {
      liveCount++;
    }
  }

  void remove(MemberRecord record) {
    if (byName.remove(record.name, record)) {
      int at = order.indexOf(record);
      order.remove(at);
      if (at < probeIndex) {
        probeIndex--;
      }
      if (record.isLive()) {
        liveCount--;
      }
    }
  }

  /** Every status change goes through here so that the live count stays exact. */
  void setStatus(MemberRecord record, MemberStatus status, long now) {
    boolean wasLive = record.isLive();
    if (record.status != status) {
      record.status = status;
      record.statusChangedAt = now;
    }
    liveCount += (record.isLive() ? 1 : 0) - (wasLive ? 1 : 0);
  }

  /** Alive and suspect members, self included: the N of every formula. */
  int liveCount() {
    return liveCount;
  }

  int size() {
    return order.size();
  }

  List<MemberRecord> all() {
    return order;
  }

  /** The next member to probe, or null if there is none besides {@code self}. */
  MemberRecord nextProbeTarget(MemberRecord self) {
    for (int checked = 0; checked <= order.size(); checked++) {
      if (probeIndex >= order.size()) {
        shuffle();
        probeIndex = 0;
      }
      MemberRecord candidate = order.get(probeIndex++);
      if (candidate != self && !candidate.status.isDeadOrLeft()) {
        return candidate;
      }
    }
    return null;
  }

  /** Up to {@code k} distinct members accepted by {@code eligible}, chosen at random. */
  List<MemberRecord> randomMembers(int k, Predicate<MemberRecord> eligible) {
    List<MemberRecord> chosen = new ArrayList<>(k);
    int n = order.size();
    // Random draws first (cheap with many members), then a scan if the draws came up short.
    for (int i = 0, draws = Math.min(3 * n, 8 * k + 8); i < draws && chosen.size() < k; i++) {
      MemberRecord candidate = order.get(random.nextInt(n));
      if (eligible.test(candidate) && !chosen.contains(candidate)) {
        chosen.add(candidate);
      }
    }
    if (chosen.size() < k) {
      int start = n == 0 ? 0 : random.nextInt(n);
      for (int i = 0; i < n && chosen.size() < k; i++) {
        MemberRecord candidate = order.get((start + i) % n);
        if (eligible.test(candidate) && !chosen.contains(candidate)) {
          chosen.add(candidate);
        }
      }
    }
    return chosen;
  }

  private void shuffle() {
    for (int i = order.size() - 1; i > 0; i--) {
      java.util.Collections.swap(order, i, random.nextInt(i + 1));
    }
  }
}
