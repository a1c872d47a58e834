package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The snapshot file format:
 *
 * <pre>
 * header:  u32 magic "MPSN" | u32 version (1) | u32 metadata length M | M bytes SnapshotMetadata
 *          | u32 CRC32C of the header bytes before it
 * data:    N bytes, the state machine's stream
 * trailer: u64 N | u32 CRC32C of the data | u32 end magic "MPSE"
 * </pre>
 * Big-endian. The header can be read without the data; the trailer makes a file cut short or
 * damaged anywhere detectable. The same bytes travel in InstallSnapshot chunks, so the checksum
 * made where the snapshot was taken is checked where it is installed.
 */
final class SnapshotFormat {
    static final int MAGIC = 0x4d50534e;
    static final int END_MAGIC = 0x4d505345;
    static final int VERSION = 1;
    static final int TRAILER_BYTES = 16;
    /** Metadata is an index, a term and the member list; more than this is not a snapshot of ours. */
    static final int MAX_METADATA_BYTES = 1 << 20;

    private SnapshotFormat() {}

    static ByteBuffer header(SnapshotMetadata metadata) {
        byte[] meta = metadata.toByteArray();
        ByteBuffer buf = ByteBuffer.allocate(12 + meta.length + 4);
        buf.putInt(MAGIC).putInt(VERSION).putInt(meta.length).put(meta);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.flip();
    }

    static ByteBuffer trailer(long dataBytes, int dataCrc) {
        return ByteBuffer.allocate(TRAILER_BYTES).putLong(dataBytes).putInt(dataCrc).putInt(END_MAGIC).flip();
    }

    /**
     * Reads and checks the whole file: header, metadata, data checksum, trailer.
     *
     * @throws StorageCorruptionException naming the file and what is wrong with it
     */
    static StoredSnapshot verify(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 16 + TRAILER_BYTES) {
                throw new StorageCorruptionException(path, "file is " + size + " bytes, too short for a snapshot");
            }
            ByteBuffer head = ByteBuffer.allocate(12);
            readFully(ch, head, 0, path);
            if (head.getInt(0) != MAGIC) {
                throw new StorageCorruptionException(path, 0, String.format(
                        "not a Meshplane snapshot: magic 0x%08x, expected 0x%08x", head.getInt(0), MAGIC));
            }
            if (head.getInt(4) != VERSION) {
                throw new StorageCorruptionException(path, 4, "unsupported snapshot version " + head.getInt(4)
                        + " (this build reads version " + VERSION + ")");
            }
            int metaLength = head.getInt(8);
            if (metaLength < 0 || metaLength > MAX_METADATA_BYTES || 16L + metaLength + TRAILER_BYTES > size) {
                throw new StorageCorruptionException(path, 8, "snapshot metadata length " + metaLength
                        + " is impossible in a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate(16 + metaLength);
            readFully(ch, header, 0, path);
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(header.array(), 0, 12 + metaLength);
            if (header.getInt(12 + metaLength) != (int) headerCrc.getValue()) {
                throw new StorageCorruptionException(path, 12 + metaLength, "snapshot header checksum mismatch");
            }
            SnapshotMetadata metadata;
            try {
                metadata = SnapshotMetadata.parseFrom(ByteBuffer.wrap(header.array(), 12, metaLength));
            } catch (InvalidProtocolBufferException e) {
                throw new StorageCorruptionException(path, 12, "snapshot metadata does not parse: " + e.getMessage());
            }
            long dataOffset = 16L + metaLength;
            ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
            readFully(ch, trailer, size - TRAILER_BYTES, path);
            long dataBytes = size - TRAILER_BYTES - dataOffset;
            if (trailer.getInt(12) != END_MAGIC || trailer.getLong(0) != dataBytes) {
                throw new StorageCorruptionException(path, size - TRAILER_BYTES, "snapshot trailer is missing or "
                        + "damaged (file cut short?): it declares " + trailer.getLong(0)
                        + " data bytes, the file holds " + dataBytes);
            }
            int computed = dataCrc(ch, dataOffset, dataBytes, path);
            if (computed != trailer.getInt(8)) {
                throw new StorageCorruptionException(path, dataOffset, String.format(
                        "snapshot data checksum mismatch over %d bytes (stored 0x%08x, computed 0x%08x)",
                        dataBytes, trailer.getInt(8), computed));
            }
            return new StoredSnapshot(path, metadata, dataOffset, dataBytes, trailer.getInt(8));
        }
    }

    private static int dataCrc(FileChannel ch, long offset, long length, Path path) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        long position = offset;
        long end = offset + length;
        while (position < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - position));
            int n = ch.read(buf, position);
            if (n < 0) {
                throw new StorageCorruptionException(path, position, "file ends inside the snapshot data");
            }
            position += n;
            buf.flip();
            crc.update(buf);
        }
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new StorageCorruptionException(path, position + buf.position(), "file ends early");
            }
        }
        buf.flip();
    }
}
