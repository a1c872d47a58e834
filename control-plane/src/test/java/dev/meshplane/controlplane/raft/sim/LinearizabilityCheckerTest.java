package dev.meshplane.controlplane.raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
    private final LinearizabilityChecker checker = new LinearizabilityChecker(1_000_000);

    private static Operation put(int c, String k, String v, long call, long ret) {
        return new Operation(c, Operation.Kind.PUT, k, v, null, "ok", call, ret);
    }

    private static Operation get(int c, String k, String out, long call, long ret) {
        return new Operation(c, Operation.Kind.GET, k, null, null, out == null ? Operation.ABSENT : out, call, ret);
    }

    private static Operation cas(int c, String k, String exp, String v, boolean ok, long call, long ret) {
        return new Operation(c, Operation.Kind.CAS, k, v, exp, Boolean.toString(ok), call, ret);
    }

    private static Operation unknownPut(int c, String k, String v, long call) {
        return new Operation(c, Operation.Kind.PUT, k, v, null, null, call, Operation.UNKNOWN_RETURN);
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        assertTrue(checker.check(List.of(
                get(1, "k", null, 1, 2),
                put(1, "k", "a", 3, 4),
                get(2, "k", "a", 5, 6),
                cas(1, "k", "a", "b", true, 7, 8),
                cas(2, "k", "a", "c", false, 9, 10),
                get(2, "k", "b", 11, 12))).ok());
    }

    @Test
    void staleReadAfterCompletedWriteIsNot() {
        LinearizabilityChecker.Result r = checker.check(List.of(
                put(1, "k", "a", 1, 2),
                put(1, "k", "b", 3, 4),
                get(2, "k", "a", 5, 6)));
        assertFalse(r.ok());
        assertEquals("k", r.key());
    }

    @Test
    void concurrentOperationsMayTakeEitherOrder() {
        // The get overlaps both puts, so it may see either value, or the older one.
        assertTrue(checker.check(List.of(
                put(1, "k", "a", 1, 10),
                put(2, "k", "b", 2, 9),
                get(3, "k", "a", 3, 8))).ok());
        assertTrue(checker.check(List.of(
                put(1, "k", "a", 1, 10),
                put(2, "k", "b", 2, 9),
                get(3, "k", "b", 3, 8))).ok());
    }

    @Test
    void readsCannotGoBackInTime() {
        // Two sequential reads by different clients during one long write: once the new value is
        // seen, a later read may not see the old one.
        assertFalse(checker.check(List.of(
                put(0, "k", "old", 0, 1),
                put(1, "k", "new", 2, 20),
                get(2, "k", "new", 3, 4),
                get(3, "k", "old", 5, 6))).ok());
    }

    @Test
    void casResultMustMatchTheValue() {
        assertFalse(checker.check(List.of(
                put(1, "k", "a", 1, 2),
                cas(2, "k", "x", "y", true, 3, 4))).ok());
        assertFalse(checker.check(List.of(
                put(1, "k", "a", 1, 2),
                cas(2, "k", "a", "y", false, 3, 4))).ok());
        assertTrue(checker.check(List.of(cas(2, "k", null, "y", true, 3, 4), get(1, "k", "y", 5, 6))).ok());
    }

    @Test
    void unknownWriteMayOrMayNotHaveHappened() {
        assertTrue(checker.check(List.of(
                unknownPut(1, "k", "a", 1),
                get(2, "k", null, 2, 3),
                get(2, "k", "a", 4, 5))).ok());
        assertTrue(checker.check(List.of(
                unknownPut(1, "k", "a", 1),
                get(2, "k", null, 2, 3))).ok());
        // But it cannot take effect before it was called.
        assertFalse(checker.check(List.of(
                get(2, "k", "a", 1, 2),
                unknownPut(1, "k", "a", 3))).ok());
        // Nor twice: a value that was overwritten cannot come back.
        assertFalse(checker.check(List.of(
                unknownPut(1, "k", "a", 1),
                get(2, "k", "a", 2, 3),
                put(2, "k", "b", 4, 5),
                get(2, "k", "a", 6, 7))).ok());
    }

    @Test
    void keysAreIndependent() {
        assertTrue(checker.check(List.of(
                put(1, "x", "1", 1, 2),
                put(1, "y", "2", 3, 4),
                get(2, "x", "1", 5, 6),
                get(2, "y", "2", 7, 8))).ok());
        LinearizabilityChecker.Result r = checker.check(List.of(
                put(1, "x", "1", 1, 2),
                put(1, "y", "2", 3, 4),
                get(2, "y", null, 7, 8)));
        assertFalse(r.ok());
        assertEquals("y", r.key());
    }

    /**
     * Histories produced by a real register (a lock-free simulation with random overlaps) are
     * always linearizable; the same histories with one read's answer corrupted are caught.
     */
    @Test
    void randomRegisterHistoriesAndTheirCorruptions() {
        Random random = new Random(42);
        int caught = 0;
        for (int round = 0; round < 200; round++) {
            List<Operation> ops = registerHistory(random, 40);
            assertTrue(checker.check(ops).ok(), "a real register's history was rejected: " + ops);
            int victim = -1;
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).kind() == Operation.Kind.GET) {
                    victim = i;
                }
            }
            if (victim >= 0) {
                Operation g = ops.get(victim);
                ops.set(victim, new Operation(g.client(), g.kind(), g.key(), null, null, "never-written", g.call(), g.ret()));
                assertFalse(checker.check(ops).ok(), "a read of a value never written was accepted");
                caught++;
            }
        }
        assertTrue(caught > 100);
    }

    /** Operations that each take effect at a random instant inside [call, ret] on one register. */
    private static List<Operation> registerHistory(Random random, int n) {
        record Planned(int client, Operation.Kind kind, String value, String expected, long call, long at, long ret) {}
        List<Planned> plans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long call = random.nextInt(1000) * 10L + i % 10;
            long at = call + 1 + random.nextInt(30);
            long ret = at + 1 + random.nextInt(30);
            Operation.Kind kind = Operation.Kind.values()[random.nextInt(3)];
            plans.add(new Planned(i, kind, "v" + i, random.nextBoolean() ? null : "v" + random.nextInt(n), call, at, ret));
        }
        plans.sort((a, b) -> Long.compare(a.at(), b.at()));
        String state = null;
        List<Operation> ops = new ArrayList<>();
        long seq = 0;
        for (Planned p : plans) {
            String out;
            switch (p.kind()) {
                case PUT -> {
                    state = p.value();
                    out = "ok";
                }
                case GET -> out = state == null ? Operation.ABSENT : state;
                default -> {
                    boolean ok = java.util.Objects.equals(state, p.expected());
                    if (ok) {
                        state = p.value();
                    }
                    out = Boolean.toString(ok);
                }
            }
            // Unique times: scale and add the position so no two events share a time.
            ops.add(new Operation(p.client(), p.kind(), "k", p.kind() == Operation.Kind.GET ? null : p.value(),
                    p.expected(), out, p.call() * 1000 + seq, p.ret() * 1000 + seq + 500));
            seq++;
        }
        return ops;
    }
}
