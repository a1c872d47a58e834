package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RaftLogView} held in memory, with the writes a driver makes: for simulations, tests
 * and the in-memory dev server. Not thread-safe.
 */
public final class MemoryRaftLog implements RaftLogView {
    private SnapshotMetadata snapshot;
    /** Entries after the snapshot: entries.get(i) has index snapshot.index + 1 + i. */
    private final ArrayList<RaftEntry> entries = new ArrayList<>();

    /** An empty log. */
    public MemoryRaftLog() {
        this.snapshot = SnapshotMetadata.getDefaultInstance();
    }

    @Override
    public long firstIndex() {
        return snapshot.getIndex() + 1;
    }

    @Override
    public long lastIndex() {
        return snapshot.getIndex() + entries.size();
    }

    @Override
    public long term(long index) {
        if (index == snapshot.getIndex()) {
            return snapshot.getTerm();
        }
        checkRange(index, index + 1);
        return entry(index).getTerm();
    }

    @Override
    public List<RaftEntry> entries(long lo, long hi, long maxBytes) {
        checkRange(lo, hi);
        List<RaftEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = lo; i < hi; i++) {
            RaftEntry e = entry(i);
            bytes += e.getSerializedSize();
            if (bytes > maxBytes && !out.isEmpty()) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public SnapshotMetadata snapshot() {
        return snapshot;
    }

    /** Persists a Ready's entries: truncates at the first one's index, then appends. */
    public void append(List<RaftEntry> newEntries) {
        if (newEntries.isEmpty()) {
            return;
        }
        long first = newEntries.get(0).getIndex();
        if (first <= snapshot.getIndex()) {
            throw new IllegalArgumentException("entry " + first + " is covered by snapshot " + snapshot.getIndex());
        }
        if (first > lastIndex() + 1) {
            throw new IllegalArgumentException("entry " + first + " leaves a gap after last index " + lastIndex());
        }
        long expected = first;
        for (RaftEntry e : newEntries) {
            if (e.getIndex() != expected++) {
                throw new IllegalArgumentException("entries not contiguous at index " + e.getIndex());
            }
        }
        entries.subList((int) (first - firstIndex()), entries.size()).clear();
        entries.addAll(newEntries);
    }

    /** Installs a snapshot received from the leader: the whole log is replaced by it. */
    public void applySnapshot(SnapshotMetadata s) {
        snapshot = s;
        entries.clear();
    }

    /**
     * Records a snapshot the driver took at {@code s.index} (at most the applied index) and drops
     * the entries it covers.
     */
    public void compact(SnapshotMetadata s) {
        if (s.getIndex() <= snapshot.getIndex()) {
            throw new IllegalArgumentException("snapshot " + s.getIndex() + " is not newer than " + snapshot.getIndex());
        }
        if (s.getIndex() > lastIndex()) {
            throw new IllegalArgumentException("snapshot " + s.getIndex() + " is past the last index " + lastIndex());
        }
        if (term(s.getIndex()) != s.getTerm()) {
            throw new IllegalArgumentException("snapshot " + s.getIndex() + " has term " + s.getTerm()
                    + " but the log has " + term(s.getIndex()));
        }
        entries.subList(0, (int) (s.getIndex() - snapshot.getIndex())).clear();
        snapshot = s;
    }

    private RaftEntry entry(long index) {
        return entries.get((int) (index - firstIndex()));
    }

    private void checkRange(long lo, long hi) {
        if (lo < firstIndex() || hi > lastIndex() + 1 || lo > hi) {
            throw new IndexOutOfBoundsException("[" + lo + ", " + hi + ") is outside the log [" + firstIndex()
                    + ", " + (lastIndex() + 1) + ")");
        }
    }
}
