package dev.meshplane.controlplane.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RaftConfigTest {
    @Test
    void defaultsAreValid() {
        RaftConfig c = RaftConfig.defaults("s1");
        assertEquals(10, c.electionTicks());
        assertTrue(c.leaseTicks() < c.electionTicks());
    }

    @Test
    void badValuesAreNamed() {
        RaftConfig d = RaftConfig.defaults("s1");
        assertEquals("electionTicks 1 must exceed heartbeatTicks 1",
                assertThrows(IllegalArgumentException.class, () -> d.withTicks(1, 1, 1)).getMessage());
        assertEquals("leaseTicks 10 must be at least 1 and below electionTicks 10",
                assertThrows(IllegalArgumentException.class, () -> d.withTicks(10, 1, 10)).getMessage());
        assertEquals("readOnly LEASE_BASED needs checkQuorum true",
                assertThrows(IllegalArgumentException.class,
                        () -> d.withCheckQuorum(false).withReadOnly(RaftConfig.ReadOnlyOption.LEASE_BASED)).getMessage());
        assertEquals("maxInflightMessages 0 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> d.withFlowControl(1024, 0)).getMessage());
        assertEquals("raft id must not be empty",
                assertThrows(IllegalArgumentException.class, () -> RaftConfig.defaults(" ")).getMessage());
    }
}
