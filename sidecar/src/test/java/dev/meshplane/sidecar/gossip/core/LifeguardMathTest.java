package dev.meshplane.sidecar.gossip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The suspicion timeout and local-health formulas. */
class LifeguardMathTest {
  @Test
  void minimumSuspicionTimeoutFollowsLog10OfTheClusterSize() {
    assertEquals(4_000, Suspicion.minTimeout(4, 1, 1_000));
    assertEquals(4_000, Suspicion.minTimeout(4, 10, 1_000));
    assertEquals(12_000, Suspicion.minTimeout(4, 1_000, 1_000));
    assertEquals(18_000, Suspicion.minTimeout(6, 1_000, 1_000));
  }

  @Test
  void timeoutShrinksFromMaxToMinWithConfirmations() {
    long min = 12_000;
    long max = 72_000;
    assertEquals(max, Suspicion.timeout(0, 2, min, max));
    // log(2)/log(3) of the way down.
    assertEquals((long) Math.floor(max - Math.log(2) / Math.log(3) * (max - min)), Suspicion.timeout(1, 2, min, max));
    assertEquals(min, Suspicion.timeout(2, 2, min, max));
    assertEquals(min, Suspicion.timeout(5, 2, min, max));
    assertEquals(min, Suspicion.timeout(0, 0, min, max), "no confirmations expected: min at once");
  }

  @Test
  void confirmationsCountOncePerMemberAndNotTheAccuser() {
    Suspicion s = new Suspicion("accuser", 2, 12_000, 72_000, 1_000);
    assertEquals(73_000, s.deadline());
    assertFalse(s.confirm("accuser"));
    assertTrue(s.confirm("b"));
    assertFalse(s.confirm("b"));
    assertTrue(s.deadline() < 73_000);
    assertTrue(s.confirm("c"));
    assertEquals(13_000, s.deadline());
    assertFalse(s.confirm("d"), "enough confirmations: no more re-gossip");
  }

  @Test
  void healthScoreScalesTimeoutsAndStaysInRange() {
    Awareness a = new Awareness(8);
    assertEquals(500, a.scale(500));
    a.apply(3);
    assertEquals(2_000, a.scale(500));
    a.apply(100);
    assertEquals(7, a.score());
    assertEquals(8_000, a.scale(1_000));
    a.apply(-100);
    assertEquals(0, a.score());
  }
}
