package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * What the core has accepted but the driver has not yet persisted: a tail of entries starting at
 * {@code offset} and possibly a snapshot received from the leader. Entries at or after
 * {@code offset} supersede anything the persisted log holds at those indexes.
 */
final class UnstableLog {
    private SnapshotMetadata snapshot;
    private final ArrayList<RaftEntry> entries = new ArrayList<>();
    private long offset;

    UnstableLog(long offset) {
        this.offset = offset;
    }

    long offset() {
        return offset;
    }

    SnapshotMetadata snapshot() {
        return snapshot;
    }

    List<RaftEntry> entries() {
        return entries;
    }

    /** First index when a snapshot is pending (everything before it is gone), else -1. */
    long maybeFirstIndex() {
        return snapshot != null ? snapshot.getIndex() + 1 : -1;
    }

    /** Last index held here (an entry or the pending snapshot), else -1. */
    long maybeLastIndex() {
        if (!entries.isEmpty()) {
            return offset + entries.size() - 1;
        }
        return snapshot != null ? snapshot.getIndex() : -1;
    }

    /** Term at {@code index} if held here, else -1. */
    long maybeTerm(long index) {
        if (index < offset) {
            return snapshot != null && snapshot.getIndex() == index ? snapshot.getTerm() : -1;
        }
        long i = index - offset;
        return i < entries.size() ? entries.get((int) i).getTerm() : -1;
    }

    /** The driver persisted entries up to {@code index} at {@code term}: drop them from here. */
    void stableTo(long index, long term) {
        if (index < offset || maybeTerm(index) != term) {
            return; // overwritten meanwhile by a new leader's entries; they are still unstable
        }
        entries.subList(0, (int) (index + 1 - offset)).clear();
        offset = index + 1;
    }

    void stableSnapshotTo(long index) {
        if (snapshot != null && snapshot.getIndex() == index) {
            snapshot = null;
        }
    }

    void restore(SnapshotMetadata s) {
        snapshot = s;
        entries.clear();
        offset = s.getIndex() + 1;
    }

    /** Appends {@code newEntries}, first dropping anything at or after their first index. */
    void truncateAndAppend(List<RaftEntry> newEntries) {
        long after = newEntries.get(0).getIndex();
        if (after == offset + entries.size()) {
            entries.addAll(newEntries);
        } else if (after <= offset) {
            // Replaces persisted entries too: the driver truncates its log when it persists these.
            offset = after;
            entries.clear();
            entries.addAll(newEntries);
        } else {
            entries.subList((int) (after - offset), entries.size()).clear();
            entries.addAll(newEntries);
        }
    }

    /** Entries in [lo, hi), which must lie within what is held here. */
    List<RaftEntry> slice(long lo, long hi) {
        return entries.subList((int) (lo - offset), (int) (hi - offset));
    }
}
