package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot file that passed verification.
 *
 * @param path       where it is stored
 * @param metadata   index, term and membership it captures
 * @param dataOffset where the state machine's bytes start in the file
 * @param dataBytes  how many bytes the state machine wrote
 * @param dataCrc    CRC32C of those bytes
 */
public record StoredSnapshot(Path path, SnapshotMetadata metadata, long dataOffset, long dataBytes, int dataCrc) {

    /**
     * The state machine's bytes, checked again as they are read: the stream fails with a
     * {@link StorageCorruptionException} at its end if the file was damaged since it was stored.
     */
    public InputStream openData() throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        ch.position(dataOffset);
        return new CheckedInputStream(Channels.newInputStream(ch), dataBytes, dataCrc, path, dataOffset);
    }

    /** The whole file, header to trailer: what a leader sends in InstallSnapshot chunks. */
    public InputStream openFile() throws IOException {
        return Channels.newInputStream(FileChannel.open(path, StandardOpenOption.READ));
    }

    /** Size of the whole file, the total of the chunks a follower receives. */
    public long fileBytes() {
        return dataOffset + dataBytes + SnapshotFormat.TRAILER_BYTES;
    }
}
