package dev.meshplane.sidecar.gossip.core;

/**
 * Lifeguard's local health multiplier. A member that misses acks and nacks, or has to refute
 * suspicions of itself, is more likely the slow one: it then probes less often and waits
 * longer, instead of accusing healthy peers.
 */
final class Awareness {
  private final int max;
  private int score;

  /** @param maxMultiplier the score stays in [0, maxMultiplier - 1] */
  Awareness(int maxMultiplier) {
    this.max = maxMultiplier;
  }

  void apply(int delta) {
    score = Math.max(0, Math.min(max - 1, score + delta));
  }

  int score() {
    return score;
  }

  long scale(long millis) {
    return millis * (score + 1);
  }
}
