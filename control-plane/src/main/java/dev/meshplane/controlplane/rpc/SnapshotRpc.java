package dev.meshplane.controlplane.rpc;

import com.google.protobuf.ByteString;
import dev.meshplane.api.ApiException;
import dev.meshplane.api.ErrorMapping;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.RestoreChunk;
import dev.meshplane.proto.internal.v1.RestoreCommit;
import dev.meshplane.controlplane.state.SnapshotReader;
import dev.meshplane.controlplane.state.StateSnapshot;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.v1.SnapshotChunk;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.SnapshotRestoreResponse;
import dev.meshplane.proto.v1.SnapshotSaveRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Save and restore of the whole state. Both go through a temporary file so that a save never
 * holds the store while a slow client reads, and a restore is checked completely before it
 * touches anything; a restore then travels through the log (chunks, then a commit), so every
 * server of a cluster replaces its state at the same index.
 */
final class SnapshotRpc extends SnapshotGrpc.SnapshotImplBase {
    private static final Logger LOG = Logger.getLogger(SnapshotRpc.class.getName());
    static final int CHUNK_BYTES = 256 * 1024;
    /** Restore chunks are log entries: big enough to be few, small enough for one append message. */
    static final int RESTORE_CHUNK_BYTES = 512 * 1024;
    /** Refuse uploads past this size rather than fill the disk. */
    static final long MAX_UPLOAD_BYTES = 8L * 1024 * 1024 * 1024;

    private final StateStore store;
    private final Consensus consensus;

    SnapshotRpc(StateStore store, Consensus consensus) {
        this.store = store;
        this.consensus = consensus;
    }

    @Override
    public void save(SnapshotSaveRequest request, StreamObserver<SnapshotChunk> observer) {
        ServerCallStreamObserver<SnapshotChunk> out = (ServerCallStreamObserver<SnapshotChunk>) observer;
        Semaphore ready = new Semaphore(0);
        out.setOnReadyHandler(ready::release);
        out.setOnCancelHandler(ready::release);
        Thread.ofVirtual().name("snapshot-save").start(() -> {
            Path file = null;
            try {
                file = Files.createTempFile("meshplane-snapshot-", ".snap");
                long index;
                try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
                    index = StateSnapshot.write(store, os, "meshplane");
                }
                LOG.info("snapshot of index " + index + " saved for a client (" + Files.size(file) + " bytes)");
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                    byte[] buf = new byte[CHUNK_BYTES];
                    int n;
                    while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                        while (!out.isReady() && !out.isCancelled()) {
                            ready.acquire();
                        }
                        if (out.isCancelled()) {
                            return;
                        }
                        out.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
                    }
                }
                out.onCompleted();
            } catch (Exception e) {
                out.onError(ErrorMapping.toStatusException(e));
            } finally {
                deleteQuietly(file);
            }
        });
    }

    @Override
    public StreamObserver<SnapshotChunk> restore(StreamObserver<SnapshotRestoreResponse> observer) {
        Path file;
        OutputStream os;
        try {
            file = Files.createTempFile("meshplane-restore-", ".snap");
            os = new BufferedOutputStream(Files.newOutputStream(file));
        } catch (IOException e) {
            throw ApiException.unavailable("cannot stage the upload: " + e.getMessage());
        }
        return new StreamObserver<>() {
            private long received;
            private boolean failed;

            @Override
            public void onNext(SnapshotChunk chunk) {
                if (failed) {
                    return;
                }
                received += chunk.getData().size();
                try {
                    if (received > MAX_UPLOAD_BYTES) {
                        throw ApiException.invalidArgument("data", "the upload exceeds " + MAX_UPLOAD_BYTES + " bytes");
                    }
                    chunk.getData().writeTo(os);
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    closeQuietly(os);
                    deleteQuietly(file);
                    observer.onError(ErrorMapping.toStatusException(e));
                }
            }

            @Override
            public void onError(Throwable t) {
                closeQuietly(os);
                deleteQuietly(file);
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                SnapshotReader.Restored restored;
                try {
                    os.close();
                    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                        restored = SnapshotReader.read(in);
                    }
                } catch (SnapshotReader.SnapshotException e) {
                    deleteQuietly(file);
                    observer.onError(ApiException.invalidArgument("snapshot", e.getMessage()).toStatusException());
                    return;
                } catch (IOException e) {
                    deleteQuietly(file);
                    observer.onError(ErrorMapping.toStatusException(e));
                    return;
                }
                // Checked here first so that a bad file fails fast; then it goes through the log
                // in chunks, so that every server swaps in the same state at the same index.
                Thread.ofVirtual().name("snapshot-restore").start(() -> {
                    try {
                        long index = replicate(file);
                        LOG.info("state restored from a snapshot of index " + restored.index() + " ("
                                + restored.records() + " records) at index " + index);
                        observer.onNext(SnapshotRestoreResponse.newBuilder().setSnapshotIndex(restored.index())
                                .setIndex(index).build());
                        observer.onCompleted();
                    } catch (Exception e) {
                        observer.onError(ErrorMapping.toStatusException(e));
                    } finally {
                        deleteQuietly(file);
                    }
                });
            }
        };
    }

    /** Proposes the file in chunks, then the commit; returns the commit's index. */
    private long replicate(Path file) throws Exception {
        String id = UUID.randomUUID().toString();
        int seq = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] buf = new byte[RESTORE_CHUNK_BYTES];
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                expectDone(consensus.propose(Command.newBuilder().setRestoreChunk(RestoreChunk.newBuilder()
                        .setRestoreId(id).setSeq(seq++).setData(ByteString.copyFrom(buf, 0, n))).build()).get());
            }
        }
        Consensus.Applied commit = consensus.propose(Command.newBuilder().setRestoreCommit(RestoreCommit.newBuilder()
                .setRestoreId(id).setChunks(seq)).build()).get();
        expectDone(commit);
        return commit.index();
    }

    private static void expectDone(Consensus.Applied applied) {
        if (applied.result() instanceof ApplyResult.Rejected r) {
            throw r.reason();
        }
    }

    private static void closeQuietly(OutputStream os) {
        try {
            os.close();
        } catch (IOException ignored) {
            // Already failing; the upload is discarded anyway.
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("could not delete " + file + ": " + e.getMessage());
        }
    }
}
