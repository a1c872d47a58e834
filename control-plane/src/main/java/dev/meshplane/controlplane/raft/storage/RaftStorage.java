package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Everything Raft keeps on disk under {@code <data-dir>/raft}: the log ({@code log/}), term and
 * vote ({@code hard-state}) and snapshots ({@code snapshots/}). Opening it recovers each part and
 * then checks that the parts agree:
 * <ul>
 *   <li>a snapshot stored but not yet recorded in the log (a crash between the two steps) is
 *       recorded now, or restored into the log if the log does not hold its last entry;</li>
 *   <li>a snapshot the log relies on that is missing or damaged stops the open with an error:
 *       the entries it replaced exist nowhere else on this server.</li>
 * </ul>
 * The order a driver follows: store the snapshot, then {@code log.recordSnapshot} (or
 * {@code restoreSnapshot} for one from the leader), then {@code log.compact}.
 */
public final class RaftStorage implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RaftStorage.class.getName());

    private final SegmentedLog log;
    private final HardStateFile hardState;
    private final SnapshotStore snapshots;

    private RaftStorage(SegmentedLog log, HardStateFile hardState, SnapshotStore snapshots) {
        this.log = log;
        this.hardState = hardState;
        this.snapshots = snapshots;
    }

    /** Opens (creating if needed) the storage under {@code dataDir/raft}. */
    public static RaftStorage open(Path dataDir, StorageConfig config) throws IOException {
        Path root = dataDir.resolve("raft");
        HardStateFile hardState = HardStateFile.open(root.resolve("hard-state"));
        SnapshotStore snapshots = SnapshotStore.open(root.resolve("snapshots"), config);
        SegmentedLog log = SegmentedLog.open(root.resolve("log"), config);
        try {
            reconcile(log, snapshots);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return new RaftStorage(log, hardState, snapshots);
    }

    private static void reconcile(SegmentedLog log, SnapshotStore snapshots) throws IOException {
        SnapshotMetadata recorded = log.snapshotMetadata();
        Optional<StoredSnapshot> latest = snapshots.latest();
        SnapshotMetadata newest = latest.map(StoredSnapshot::metadata).orElse(SnapshotMetadata.getDefaultInstance());
        if (newest.getIndex() > recorded.getIndex()) {
            long index = newest.getIndex();
            boolean logHoldsIt = index >= log.firstIndex() && index <= log.lastIndex()
                    && log.term(index) == newest.getTerm();
            LOG.info(() -> "Raft storage: snapshot at index " + index + " was stored but not yet recorded in the log; "
                    + (logHoldsIt ? "recording it" : "restoring the log from it"));
            if (logHoldsIt) {
                log.recordSnapshot(newest);
            } else {
                log.restoreSnapshot(newest);
            }
        } else if (newest.getIndex() < recorded.getIndex()
                || (recorded.getIndex() > 0 && newest.getTerm() != recorded.getTerm())) {
            throw new StorageCorruptionException(snapshots.directory(), "the log in " + log.directory()
                    + " records a snapshot at index " + recorded.getIndex() + " term " + recorded.getTerm()
                    + " and is compacted up to " + (log.firstIndex() - 1) + ", but the newest valid snapshot here is "
                    + (latest.isEmpty() ? "none" : "at index " + newest.getIndex() + " term " + newest.getTerm())
                    + ": the snapshot file is missing or damaged (see the warnings above); restore this server's "
                    + "data from a healthy member");
        }
    }

    /** The Raft log. */
    public SegmentedLog log() {
        return log;
    }

    /** Term, vote and commit index. */
    public HardStateFile hardState() {
        return hardState;
    }

    /** State-machine snapshots. */
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
