package dev.meshplane.controlplane.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AbsentNodesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration GRACE = Duration.ofSeconds(120);

    @Test
    void aNodeIsDueOnlyAfterBeingAbsentForTheWholeGrace() {
        AbsentNodes absent = new AbsentNodes();
        Set<String> checked = Set.of("a", "ghost");
        assertEquals(List.of(), absent.pass(checked, Set.of("a"), 0, GRACE), "first seen absent: not yet");
        assertEquals(List.of(), absent.pass(checked, Set.of("a"), 119 * SECOND, GRACE));
        assertEquals(List.of("ghost"), absent.pass(checked, Set.of("a"), 120 * SECOND, GRACE));
        // Once reported it starts over: a failed write is retried only after another full grace.
        assertEquals(List.of(), absent.pass(checked, Set.of("a"), 121 * SECOND, GRACE));
    }

    @Test
    void reappearingInThePoolResetsTheClock() {
        AbsentNodes absent = new AbsentNodes();
        Set<String> checked = Set.of("n");
        absent.pass(checked, Set.of(), 0, GRACE);
        absent.pass(checked, Set.of("n"), 60 * SECOND, GRACE);
        assertEquals(List.of(), absent.pass(checked, Set.of(), 130 * SECOND, GRACE), "absent again since 130 s only");
        assertEquals(List.of("n"), absent.pass(checked, Set.of(), 250 * SECOND, GRACE));
    }

    @Test
    void nodesThatLoseTheCheckOrAClearForgetTheirAbsence() {
        AbsentNodes absent = new AbsentNodes();
        absent.pass(Set.of("n"), Set.of(), 0, GRACE);
        absent.pass(Set.of(), Set.of(), 60 * SECOND, GRACE);
        assertEquals(List.of(), absent.pass(Set.of("n"), Set.of(), 150 * SECOND, GRACE), "the check came back at 150 s");
        absent.clear();
        assertEquals(List.of(), absent.pass(Set.of("n"), Set.of(), 300 * SECOND, GRACE), "cleared: counted from 300 s");
        assertEquals(List.of("n"), absent.pass(Set.of("n"), Set.of(), 420 * SECOND, GRACE));
    }

    @Test
    void zeroGraceIsDueAtFirstSight() {
        assertEquals(List.of("x"), new AbsentNodes().pass(Set.of("x"), Set.of("y"), 5, Duration.ZERO));
    }
}
