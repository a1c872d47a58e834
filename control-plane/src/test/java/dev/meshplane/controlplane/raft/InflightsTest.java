package dev.meshplane.controlplane.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InflightsTest {
    @Test
    void fillsFreesInOrderAndWrapsAround() {
        Inflights in = new Inflights(3);
        in.add(5);
        in.add(9);
        in.add(12);
        assertTrue(in.full());
        assertThrows(IllegalStateException.class, () -> in.add(13));
        in.freeUpTo(9);
        assertEquals(1, in.count());
        in.add(15);
        in.add(20);
        assertTrue(in.full());
        in.freeFirst();
        assertEquals(2, in.count());
        in.freeUpTo(100);
        assertEquals(0, in.count());
        assertFalse(in.full());
    }
}
