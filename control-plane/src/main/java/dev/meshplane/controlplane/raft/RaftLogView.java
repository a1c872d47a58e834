package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;

/**
 * The persisted Raft log as the core sees it: read-only. The driver writes to the real store
 * (appending a Ready's entries, installing a Ready's snapshot, compacting after its own
 * snapshots); the core only reads, and keeps the entries not yet persisted to itself.
 *
 * <p>The log holds the entries {@code firstIndex()..lastIndex()} preceded by a snapshot at
 * {@code firstIndex() - 1}. A fresh log has no entries, {@code firstIndex() == 1} and an empty
 * snapshot (index 0, term 0, no members). Calls come from the core's thread only.
 */
public interface RaftLogView {
    /** Index of the first entry still held: the latest snapshot's index + 1. */
    long firstIndex();

    /** Index of the last persisted entry; {@code firstIndex() - 1} when the log holds none. */
    long lastIndex();

    /**
     * Term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}
     * (at {@code firstIndex() - 1} it is the snapshot's term). The core never asks outside that
     * range; an implementation may throw {@link IndexOutOfBoundsException} if it does.
     */
    long term(long index);

    /**
     * Entries with {@code lo <= index < hi}, in order, stopping before the total serialized size
     * would exceed {@code maxBytes} but always returning at least one entry when {@code lo < hi}.
     * The core asks only within {@code firstIndex() <= lo <= hi <= lastIndex() + 1}.
     */
    List<RaftEntry> entries(long lo, long hi, long maxBytes);

    /**
     * Metadata of the latest snapshot: index and term of the last entry it covers and the
     * membership as of that entry. Index 0 when there is none yet. A leader sends this to a
     * follower that needs entries the log no longer holds, so the driver must be able to stream
     * the matching snapshot data.
     */
    SnapshotMetadata snapshot();
}
