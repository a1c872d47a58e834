package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Where a state machine streams a snapshot it takes itself. Bytes go to a temp file as they come
 * (nothing is held in memory); {@link #commit} adds the checksum trailer, fsyncs, renames the file
 * into place and fsyncs the directory. Closing without committing discards the file.
 */
public final class SnapshotSink extends OutputStream {
    private final SnapshotStore store;
    private final SnapshotMetadata metadata;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final long dataOffset;
    private long dataBytes;
    private boolean done;

    SnapshotSink(SnapshotStore store, SnapshotMetadata metadata, Path temp, FileChannel channel) throws IOException {
        this.store = store;
        this.metadata = metadata;
        this.temp = temp;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 256 * 1024);
        ByteBuffer header = SnapshotFormat.header(metadata);
        this.dataOffset = header.remaining();
        out.write(header.array(), 0, header.remaining());
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkOpen();
        out.write(b, off, len);
        crc.update(b, off, len);
        dataBytes += len;
    }

    /** Makes the snapshot durable and the newest stored one; returns it. */
    public StoredSnapshot commit() throws IOException {
        checkOpen();
        done = true;
        try {
            int dataCrc = (int) crc.getValue();
            ByteBuffer trailer = SnapshotFormat.trailer(dataBytes, dataCrc);
            out.write(trailer.array(), 0, trailer.remaining());
            out.flush();
            channel.force(true);
            channel.close();
            return store.install(temp, new StoredSnapshot(temp, metadata, dataOffset, dataBytes, dataCrc));
        } catch (IOException | RuntimeException e) {
            discard();
            throw e;
        }
    }

    /** Discards what was written. */
    public void abort() throws IOException {
        if (!done) {
            done = true;
            discard();
        }
    }

    /** Aborts unless {@link #commit} was called. */
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
            throw new IllegalStateException("snapshot " + metadata.getIndex() + " was already committed or aborted");
        }
    }
}
