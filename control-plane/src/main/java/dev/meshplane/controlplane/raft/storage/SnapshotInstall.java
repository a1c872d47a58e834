package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.TextFormat;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Receives a snapshot file from the leader in InstallSnapshot chunks, in order, into a temp file.
 * {@link #finish} fsyncs it, verifies it whole (format, checksums, and that it is the snapshot
 * announced in {@code begin}) and only then installs it; a file that fails is deleted, never
 * installed. {@link #abort} (or {@link #close} before finishing) discards it.
 */
public final class SnapshotInstall implements AutoCloseable {
    private final SnapshotStore store;
    private final SnapshotMetadata expected;
    private final Path temp;
    private final FileChannel channel;
    private long received;
    private boolean done;

    SnapshotInstall(SnapshotStore store, SnapshotMetadata expected, Path temp, FileChannel channel) {
        this.store = store;
        this.expected = expected;
        this.temp = temp;
        this.channel = channel;
    }

    /**
     * Appends a chunk. Chunks come in order: {@code offset} must equal {@link #bytesReceived()}.
     *
     * @throws IllegalArgumentException for a chunk out of order (the message names both offsets)
     */
    public void write(long offset, ByteBuffer chunk) throws IOException {
        checkOpen();
        if (offset != received) {
            throw new IllegalArgumentException("snapshot chunk at offset " + offset + " is out of order: "
                    + received + " bytes received so far, the next chunk must start there");
        }
        while (chunk.hasRemaining()) {
            received += channel.write(chunk, received);
        }
    }

    /** {@link #write(long, ByteBuffer)} for an array. */
    public void write(long offset, byte[] chunk) throws IOException {
        write(offset, ByteBuffer.wrap(chunk));
    }

    /** Bytes received so far: where the next chunk must start. */
    public long bytesReceived() {
        return received;
    }

    /** The snapshot being received. */
    public SnapshotMetadata metadata() {
        return expected;
    }

    /**
     * Verifies and installs the received file as the newest snapshot.
     *
     * @throws StorageCorruptionException if the file is damaged, cut short, not a snapshot, or
     *                                    describes a different snapshot than announced
     */
    public StoredSnapshot finish() throws IOException {
        checkOpen();
        done = true;
        try {
            channel.force(true);
            channel.close();
            StoredSnapshot received = SnapshotFormat.verify(temp);
            if (!received.metadata().equals(expected)) {
                throw new StorageCorruptionException(temp, 12, "received snapshot describes {"
                        + TextFormat.printer().shortDebugString(received.metadata()) + "} but {"
                        + TextFormat.printer().shortDebugString(expected) + "} was announced");
            }
            return store.install(temp, received);
        } catch (IOException | RuntimeException e) {
            discard();
            throw e;
        }
    }

    /** Discards what was received. */
    public void abort() throws IOException {
        if (!done) {
            done = true;
            discard();
        }
    }

    @Override
    public void close() throws IOException {
        abort();
    }

    private void discard() throws IOException {
        channel.close();
        Files.deleteIfExists(temp);
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("install of snapshot " + expected.getIndex()
                    + " was already finished or aborted");
        }
    }
}
