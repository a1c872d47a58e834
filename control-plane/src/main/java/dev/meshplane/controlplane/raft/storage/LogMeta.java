package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * What the log must remember besides its entries: the compaction point (entries up to
 * {@code compactedIndex} are gone; {@code compactedTerm} is the term of that last discarded entry,
 * which the Raft consistency check still needs) and the newest snapshot the log was told about,
 * which bounds how far it may be compacted.
 */
record LogMeta(long compactedIndex, long compactedTerm, SnapshotMetadata snapshot) {
    static final LogMeta EMPTY = new LogMeta(0, 0, SnapshotMetadata.getDefaultInstance());
    static final String FILE_NAME = "log-meta";
    /** "MPLM". */
    private static final int MAGIC = 0x4d504c4d;

    LogMeta {
        if (compactedIndex < 0 || compactedTerm < 0) {
            throw new IllegalArgumentException("compaction point index " + compactedIndex + " term "
                    + compactedTerm + " must not be negative");
        }
        if (snapshot.getIndex() < compactedIndex) {
            throw new IllegalArgumentException("log compacted to " + compactedIndex
                    + " beyond the snapshot at " + snapshot.getIndex());
        }
    }

    static ChecksummedFile file(Path dir) {
        return new ChecksummedFile(dir.resolve(FILE_NAME), MAGIC, "log metadata");
    }

    static LogMeta read(Path dir) throws IOException {
        ChecksummedFile file = file(dir);
        byte[] payload = file.read().orElse(null);
        if (payload == null) {
            return EMPTY;
        }
        ByteBuffer buf = ByteBuffer.wrap(payload);
        if (payload.length < 16) {
            throw new StorageCorruptionException(file.path(), "log metadata payload is " + payload.length
                    + " bytes, expected at least 16");
        }
        long index = buf.getLong();
        long term = buf.getLong();
        try {
            return new LogMeta(index, term, SnapshotMetadata.parseFrom(buf));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new StorageCorruptionException(file.path(), "log metadata is invalid: " + e.getMessage());
        }
    }

    void write(Path dir) throws IOException {
        byte[] snap = snapshot.toByteArray();
        ByteBuffer buf = ByteBuffer.allocate(16 + snap.length);
        buf.putLong(compactedIndex).putLong(compactedTerm).put(snap);
        file(dir).write(buf.array());
    }
}
