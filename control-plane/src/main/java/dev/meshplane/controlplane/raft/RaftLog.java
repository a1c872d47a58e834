package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's whole log: the persisted part read through {@link RaftLogView} with the unstable
 * tail on top, and the commit and applied indexes.
 */
final class RaftLog {
    /** Term returned for an index that is compacted away or beyond the last entry. */
    static final long UNKNOWN = -1;

    record IndexTerm(long index, long term) {}

    private final RaftLogView storage;
    private final UnstableLog unstable;
    long committed;
    long applied;

    RaftLog(RaftLogView storage) {
        this.storage = storage;
        this.unstable = new UnstableLog(storage.lastIndex() + 1);
        this.committed = storage.firstIndex() - 1;
        this.applied = storage.firstIndex() - 1;
    }

    long firstIndex() {
        long i = unstable.maybeFirstIndex();
        return i >= 0 ? i : storage.firstIndex();
    }

    long lastIndex() {
        long i = unstable.maybeLastIndex();
        return i >= 0 ? i : storage.lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    long term(long index) {
        long t = unstable.maybeTerm(index);
        if (t >= 0) {
            return t;
        }
        if (unstable.snapshot() != null || index >= unstable.offset()) {
            return UNKNOWN; // before a pending snapshot, or past our last entry
        }
        if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) {
            return UNKNOWN;
        }
        return storage.term(index);
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t != UNKNOWN && t == term;
    }

    /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as this one. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        long myTerm = lastTerm();
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
    }

    /** Index of the last entry the driver has persisted and that is still part of this log. */
    long lastStableIndex() {
        return unstable.snapshot() != null ? 0 : unstable.offset() - 1;
    }

    /**
     * A follower's append: if the entry at {@code prevIndex} has {@code prevTerm}, adds
     * {@code entries} (replacing conflicting ones), commits up to {@code leaderCommit} within
     * them, and returns the index of the last new entry; otherwise returns -1.
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<RaftEntry> entries) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + entries.size();
        long conflict = findConflict(entries);
        if (conflict != 0) {
            if (conflict <= committed) {
                throw new IllegalStateException("entry at index " + conflict
                        + " conflicts with the committed log (committed " + committed + ")");
            }
            append(entries.subList((int) (conflict - (prevIndex + 1)), entries.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** First index whose entry differs from (or is missing in) this log, or 0 if all match. */
    private long findConflict(List<RaftEntry> entries) {
        for (RaftEntry e : entries) {
            if (!matchTerm(e.getIndex(), e.getTerm())) {
                return e.getIndex();
            }
        }
        return 0;
    }

    /**
     * The last index at or below {@code index} whose term is at most {@code term}, with its term.
     * Entries above it cannot match a log whose entry at {@code index} has {@code term}, so a leader
     * may skip them when probing (the fast back-off).
     */
    IndexTerm findConflictByTerm(long index, long term) {
        for (long i = Math.min(index, lastIndex()); i > 0; i--) {
            long t = term(i);
            if (t == UNKNOWN) {
                return new IndexTerm(i, 0);
            }
            if (t <= term) {
                return new IndexTerm(i, t);
            }
        }
        return new IndexTerm(0, 0);
    }

    void append(List<RaftEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).getIndex();
        if (first <= committed) {
            throw new IllegalStateException("cannot overwrite committed entry " + first + " (committed " + committed + ")");
        }
        if (first > lastIndex() + 1) {
            throw new IllegalStateException("append at " + first + " leaves a gap after last index " + lastIndex());
        }
        unstable.truncateAndAppend(entries);
    }

    void commitTo(long index) {
        if (index <= committed) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit " + index + " is beyond the last index " + lastIndex()
                    + ": the log lost entries it had acknowledged");
        }
        committed = index;
    }

    void appliedTo(long index) {
        if (index < applied || index > committed) {
            throw new IllegalStateException("applied " + index + " outside [" + applied + ", " + committed + "]");
        }
        applied = index;
    }

    /** Entries from {@code lo} on, up to {@code maxBytes}; null if {@code lo} was compacted away. */
    List<RaftEntry> entriesFrom(long lo, long maxBytes) {
        if (lo < firstIndex()) {
            return null;
        }
        long last = lastIndex();
        return lo > last ? List.of() : slice(lo, last + 1, maxBytes);
    }

    /** Entries in [lo, hi) with firstIndex() <= lo <= hi <= lastIndex() + 1; at least one if lo < hi. */
    List<RaftEntry> slice(long lo, long hi, long maxBytes) {
        if (lo >= hi) {
            return List.of();
        }
        List<RaftEntry> result = new ArrayList<>();
        long bytes = 0;
        long offset = unstable.offset();
        if (lo < offset) {
            long storedHi = Math.min(hi, offset);
            List<RaftEntry> stored = storage.entries(lo, storedHi, maxBytes);
            result.addAll(stored);
            if (stored.size() < storedHi - lo) {
                return result; // the size limit cut it short
            }
            for (RaftEntry e : stored) {
                bytes += e.getSerializedSize();
            }
        }
        if (hi > offset) {
            for (RaftEntry e : unstable.slice(Math.max(lo, offset), hi)) {
                bytes += e.getSerializedSize();
                if (bytes > maxBytes && !result.isEmpty()) {
                    break;
                }
                result.add(e);
            }
        }
        return result;
    }

    boolean hasPendingSnapshot() {
        return unstable.snapshot() != null;
    }

    SnapshotMetadata pendingSnapshot() {
        return unstable.snapshot();
    }

    /** The latest snapshot: a pending one from the leader, else the persisted one. */
    SnapshotMetadata snapshot() {
        return unstable.snapshot() != null ? unstable.snapshot() : storage.snapshot();
    }

    List<RaftEntry> unstableEntries() {
        return unstable.entries();
    }

    boolean hasNextCommittedEntries() {
        return unstable.snapshot() == null && committed > applied;
    }

    /** Committed entries not yet handed out for applying; none while a snapshot is pending. */
    List<RaftEntry> nextCommittedEntries(long maxBytes) {
        if (!hasNextCommittedEntries()) {
            return List.of();
        }
        return slice(applied + 1, committed + 1, maxBytes);
    }

    /** Whether a committed but not yet applied entry changes the membership. */
    boolean hasUnappliedConfChange() {
        long lo = applied + 1;
        while (lo <= committed) {
            List<RaftEntry> page = slice(lo, committed + 1, 4L << 20);
            for (RaftEntry e : page) {
                if (e.getType() == EntryType.ENTRY_TYPE_CONF_CHANGE) {
                    return true;
                }
            }
            lo += page.size();
        }
        return false;
    }

    void stableTo(long index, long term) {
        unstable.stableTo(index, term);
    }

    void stableSnapshotTo(long index) {
        unstable.stableSnapshotTo(index);
    }

    /** Replaces the whole log with {@code snapshot}; the driver persists it from the next Ready. */
    void restore(SnapshotMetadata snapshot) {
        committed = snapshot.getIndex();
        unstable.restore(snapshot);
    }

    @Override
    public String toString() {
        return "log[first=" + firstIndex() + " last=" + lastIndex() + " committed=" + committed
                + " applied=" + applied + " unstable@" + unstable.offset() + "+" + unstable.entries().size()
                + (hasPendingSnapshot() ? " snapshot=" + unstable.snapshot().getIndex() : "") + "]";
    }
}
