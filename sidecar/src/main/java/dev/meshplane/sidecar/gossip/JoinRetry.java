package dev.meshplane.sidecar.gossip;

import java.time.Duration;

/**
 * How {@link GossipAgent#join(java.util.List, JoinRetry)} retries when no seed answers: the
 * wait doubles from {@code initialBackoff} up to {@code maxBackoff}.
 *
 * @param maxAttempts attempts before giving up; 0 retries forever (Consul's retry_join default)
 */
public record JoinRetry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /** Forever, 1 s doubling to Consul's 30 s retry interval. */
  public static final JoinRetry FOREVER = new JoinRetry(0, Duration.ofSeconds(1), Duration.ofSeconds(30));
  /** One attempt, no retry. */
  public static final JoinRetry ONCE = new JoinRetry(1, Duration.ofSeconds(1), Duration.ofSeconds(1));

  public JoinRetry {
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("join maxAttempts " + maxAttempts + " must be >= 0 (0 = forever)");
    }
    if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("join initialBackoff " + initialBackoff + " must be positive");
    }
    if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "join maxBackoff " + maxBackoff + " must be at least initialBackoff " + initialBackoff);
    }
  }

  /** The wait after failed attempt {@code attempt} (1-based). */
  public Duration backoffAfter(int attempt) {
    Duration wait = initialBackoff;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
