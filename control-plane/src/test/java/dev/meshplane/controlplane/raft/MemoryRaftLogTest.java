package dev.meshplane.controlplane.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryRaftLogTest {
    private static RaftEntry e(long index, long term) {
        return RaftEntry.newBuilder().setIndex(index).setTerm(term).setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFromUtf8("0123456789")).build();
    }

    @Test
    void appendTruncatesConflictsAndCompactionKeepsTheTail() {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(e(1, 1), e(2, 1), e(3, 1)));
        log.append(List.of(e(2, 2)));
        assertEquals(2, log.lastIndex());
        assertEquals(2, log.term(2));
        log.append(List.of(e(3, 2), e(4, 2)));
        log.compact(SnapshotMetadata.newBuilder().setIndex(2).setTerm(2).build());
        assertEquals(3, log.firstIndex());
        assertEquals(2, log.term(2));
        assertEquals(List.of(e(3, 2), e(4, 2)), log.entries(3, 5, Long.MAX_VALUE));
        // The size limit still returns at least one entry.
        assertEquals(1, log.entries(3, 5, 1).size());
        assertThrows(IndexOutOfBoundsException.class, () -> log.entries(1, 3, 100));
        assertThrows(IllegalArgumentException.class, () -> log.append(List.of(e(7, 2))));
        assertThrows(IllegalArgumentException.class,
                () -> log.compact(SnapshotMetadata.newBuilder().setIndex(4).setTerm(1).build()));
    }
}
