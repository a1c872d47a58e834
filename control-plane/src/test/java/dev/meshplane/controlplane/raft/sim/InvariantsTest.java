package dev.meshplane.controlplane.raft.sim;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation's safety checks reject what they must and accept what is fine. */
class InvariantsTest {
    private static RaftEntry entry(long index, long term, String data) {
        return RaftEntry.newBuilder().setIndex(index).setTerm(term).setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8(data)).build();
    }

    @Test
    void identicalEntriesOnTwoServersAreFine() {
        Invariants inv = new Invariants();
        inv.onPersist("a", List.of(entry(1, 1, "x"), entry(2, 1, "y")), 0);
        inv.onPersist("b", List.of(entry(1, 1, "x")), 0);
        inv.onPersist("b", List.of(entry(2, 1, "y")), 1);
        inv.onApply("a", entry(1, 1, "x"), 7);
        inv.onApply("b", entry(1, 1, "x"), 7);
        assertTrue(inv.appliedTerm(1) == 1);
    }

    @Test
    void sameIndexAndTermWithOtherDataBreaksLogMatching() {
        Invariants inv = new Invariants();
        inv.onPersist("a", List.of(entry(1, 1, "x")), 0);
        assertThrows(Invariants.SafetyViolation.class, () -> inv.onPersist("b", List.of(entry(1, 1, "other")), 0));
    }

    @Test
    void sameEntryAfterDifferentPrefixesBreaksLogMatching() {
        Invariants inv = new Invariants();
        inv.onPersist("a", List.of(entry(1, 1, "x"), entry(2, 2, "y")), 0);
        inv.onPersist("b", List.of(entry(1, 2, "z")), 0);
        assertThrows(Invariants.SafetyViolation.class, () -> inv.onPersist("b", List.of(entry(2, 2, "y")), 2));
    }

    @Test
    void differentEntriesAppliedAtOneIndexBreakStateMachineSafety() {
        Invariants inv = new Invariants();
        inv.onApply("a", entry(3, 1, "x"), 1);
        assertThrows(Invariants.SafetyViolation.class, () -> inv.onApply("b", entry(3, 2, "y"), 1));
    }

    @Test
    void divergingStatesAtOneIndexAreCaughtEvenFromASnapshot() {
        Invariants inv = new Invariants();
        inv.onApply("a", entry(3, 1, "x"), 1234);
        assertThrows(Invariants.SafetyViolation.class, () -> inv.onSnapshotInstalled("b", 3, 999));
    }
}
