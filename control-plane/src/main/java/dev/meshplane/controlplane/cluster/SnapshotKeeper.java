package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.storage.RaftStorage;
import dev.meshplane.controlplane.raft.storage.StoredSnapshot;
import dev.meshplane.controlplane.state.SnapshotReader;
import dev.meshplane.controlplane.state.StateSnapshot;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state store's side of Raft snapshots: taking one every {@code snapshotThreshold} applied
 * entries (captured on the loop, written by a virtual thread, then recorded and the log compacted
 * back on the loop), and making a snapshot the state (at start, and when the leader sends one).
 * Loop-thread only, except the writing.
 */
final class SnapshotKeeper {
    private static final Logger LOG = Logger.getLogger(SnapshotKeeper.class.getName());

    private final RaftServerConfig config;
    private final RaftStorage storage;
    private final StateStore store;
    private final Consumer<Runnable> loop;
    private long snapshotIndex;
    private boolean writing;

    SnapshotKeeper(RaftServerConfig config, RaftStorage storage, StateStore store, Consumer<Runnable> loop) {
        this.config = config;
        this.storage = storage;
        this.store = store;
        this.loop = loop;
        this.snapshotIndex = storage.log().snapshotMetadata().getIndex();
    }

    /** Takes a snapshot once enough entries were applied since the last one. */
    void maybeSnapshot(RaftNode core) {
        long applied = core.appliedIndex();
        if (writing || applied - snapshotIndex < config.snapshotThreshold()) {
            return;
        }
        writing = true;
        SnapshotMetadata meta = SnapshotMetadata.newBuilder().setIndex(applied).setTerm(core.logTerm(applied))
                .setConfState(core.confState()).build();
        StateSnapshot.Captured captured = StateSnapshot.capture(store);
        Thread.ofVirtual().name("raft-snapshot").start(() -> {
            try (var sink = storage.snapshots().create(meta)) {
                captured.writeTo(sink, config.id());
                sink.commit();
                loop.accept(() -> recorded(meta));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "raft: snapshot at " + meta.getIndex() + " failed; will retry", e);
                loop.accept(() -> writing = false);
            }
        });
    }

    /** The snapshot is stored: record it in the log and compact, keeping the trailing entries. */
    private void recorded(SnapshotMetadata meta) {
        writing = false;
        try {
            storage.log().recordSnapshot(meta);
            snapshotIndex = meta.getIndex();
            long compactTo = meta.getIndex() - config.trailingLogs();
            if (compactTo >= storage.log().firstIndex()) {
                storage.log().compact(compactTo);
            }
            LOG.info("raft: " + config.id() + " snapshot at index " + meta.getIndex() + ", log now from "
                    + storage.log().firstIndex());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A snapshot from the leader, already received and verified by {@link RaftRpc}: make it the state. */
    void install(SnapshotMetadata meta) throws IOException {
        storage.log().restoreSnapshot(meta);
        restoreStore(meta);
        snapshotIndex = meta.getIndex();
        LOG.info("raft: " + config.id() + " installed the leader's snapshot at index " + meta.getIndex());
    }

    /** Makes the stored snapshot {@code meta} the state store's state. */
    void restoreStore(SnapshotMetadata meta) throws IOException {
        StoredSnapshot stored = storage.snapshots().list().stream()
                .filter(s -> s.metadata().getIndex() == meta.getIndex() && s.metadata().getTerm() == meta.getTerm())
                .findFirst()
                .orElseThrow(() -> new IOException("the snapshot at index " + meta.getIndex() + " is not stored"));
        try (InputStream in = stored.openData()) {
            SnapshotReader.Restored restored = SnapshotReader.read(in);
            store.restore(restored, Math.max(meta.getIndex(), store.lastIndex()));
        } catch (SnapshotReader.SnapshotException e) {
            throw new IOException("snapshot " + stored.path() + " holds no usable state: " + e.getMessage(), e);
        }
    }
}
