package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.raft.RaftLogView;
import dev.meshplane.controlplane.raft.storage.SegmentedLog;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;

/** The durable log as the Raft core reads it. */
final class StorageLogView implements RaftLogView {
    private final SegmentedLog log;

    StorageLogView(SegmentedLog log) {
        this.log = log;
    }

    @Override
    public long firstIndex() {
        return log.firstIndex();
    }

    @Override
    public long lastIndex() {
        return log.lastIndex();
    }

    @Override
    public long term(long index) {
        return log.term(index);
    }

    @Override
    public List<RaftEntry> entries(long lo, long hi, long maxBytes) {
        return log.entries(lo, hi, maxBytes);
    }

    @Override
    public SnapshotMetadata snapshot() {
        return log.snapshotMetadata();
    }
}
