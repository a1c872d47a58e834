package dev.meshplane.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Autopilot's dead-server decision: grace period, quorum of what remains, one at a time. */
class ServerDiscoveryTest {
    static final long GRACE = 30_000_000_000L;
    static final List<String> THREE = List.of("s0", "s1", "s2");
    static final List<String> FIVE = List.of("s0", "s1", "s2", "s3", "s4");

    static String decide(List<String> voters, List<String> learners, Set<String> left, Map<String, Long> failed,
                         long now) {
        return ServerDiscovery.deadServerToRemove("s0", voters, learners, left, failed, now, GRACE);
    }

    @Test
    void aFailedVoterIsRemovedOnlyAfterTheGracePeriod() {
        assertNull(decide(THREE, List.of(), Set.of(), Map.of("s2", 0L), GRACE - 1));
        assertEquals("s2", decide(THREE, List.of(), Set.of(), Map.of("s2", 0L), GRACE));
    }

    @Test
    void aLeftVoterIsRemovedAtOnce() {
        assertEquals("s1", decide(THREE, List.of(), Set.of("s1"), Map.of(), 0));
    }

    @Test
    void noRemovalWithoutAQuorumOfHealthyVotersInWhatRemains() {
        // Three voters, two failed: one healthy of two remaining is no quorum.
        assertNull(decide(THREE, List.of(), Set.of(), Map.of("s1", 0L, "s2", 0L), GRACE));
        // Five voters, two failed: three healthy of four remaining is a quorum (3).
        assertEquals("s3", decide(FIVE, List.of(), Set.of(), Map.of("s3", 0L, "s4", GRACE), GRACE));
        // Five voters, three failed: two healthy of four is not.
        assertNull(decide(FIVE, List.of(), Set.of(), Map.of("s2", 0L, "s3", 0L, "s4", 0L), GRACE));
    }

    @Test
    void aDeadNonVoterGoesFirstAndThisServerNever() {
        assertEquals("s3", decide(THREE, List.of("s3"), Set.of(), Map.of("s3", 0L, "s2", 0L), GRACE));
        assertNull(decide(THREE, List.of(), Set.of("s0"), Map.of("s0", 0L), GRACE));
    }

    @Test
    void aServerThatFailedButIsBackIsNotRemoved() {
        assertNull(decide(THREE, List.of(), Set.of(), Map.of(), GRACE * 10));
    }
}
