package dev.meshplane.sidecar.gossip.core;

import java.util.HashSet;
import java.util.Set;

/**
 * Lifeguard's suspicion timer: starts at {@code max} and shrinks toward {@code min} as
 * independent members confirm the suspicion, by log(C + 1) / log(K + 1) for C of K wanted
 * confirmations. The member that raised the suspicion is not counted again.
 */
final class Suspicion {
  final long start;
  private final long min;
  private final long max;
  private final int wanted;
  private final Set<String> confirmedBy = new HashSet<>();
  private int confirmations;
  private long deadline;

  Suspicion(String from, int wanted, long minMillis, long maxMillis, long now) {
    this.start = now;
    this.min = minMillis;
    this.max = maxMillis;
    this.wanted = wanted;
    confirmedBy.add(from);
    this.deadline = now + (wanted < 1 || min >= max ? min : max);
  }

  /** True if this was a new confirmation (worth re-gossiping); the deadline may move earlier. */
  boolean confirm(String from) {
    if (confirmations >= wanted || !confirmedBy.add(from)) {
      return false;
    }
    confirmations++;
    deadline = start + timeout(confirmations, wanted, min, max);
    return true;
  }

  long deadline() {
    return deadline;
  }

  int confirmations() {
    return confirmations;
  }

  /** The whole timeout after {@code n} of {@code k} confirmations, never below min. */
  static long timeout(int n, int k, long min, long max) {
    if (k < 1) {
      return min;
    }
    double fraction = Math.log(n + 1.0) / Math.log(k + 1.0);
    long raw = (long) Math.floor(max - fraction * (max - min));
    return Math.max(min, raw);
  }

  /** The minimum suspicion timeout: mult x max(1, log10 N) x probe interval. */
  static long minTimeout(int suspicionMult, int members, long probeIntervalMillis) {
    double nodeScale = Math.max(1.0, Math.log10(Math.max(1.0, members)));
    return (long) (suspicionMult * nodeScale * probeIntervalMillis);
  }
}
