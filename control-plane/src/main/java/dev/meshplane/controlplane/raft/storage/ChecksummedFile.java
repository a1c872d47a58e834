package dev.meshplane.controlplane.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A small file written whole and replaced atomically, its content guarded by a checksum.
 *
 * <pre>
 * u32 magic | u32 version (1) | u32 payload length | payload | u32 CRC32C of all preceding bytes
 * </pre>
 * All integers big-endian. Used for term/vote and for the log's compaction point, which are
 * rewritten in place of the old copy, never appended to.
 */
final class ChecksummedFile {
    static final int VERSION = 1;
    static final int OVERHEAD = 16;
    /** These files hold a few numbers and a member list; anything bigger is not one of ours. */
    static final int MAX_PAYLOAD = 1 << 20;

    private final Path file;
    private final int magic;
    private final String kind;

    /** @param kind what the file holds, for error messages ("hard state") */
    ChecksummedFile(Path file, int magic, String kind) {
        this.file = file;
        this.magic = magic;
        this.kind = kind;
    }

    Path path() {
        return file;
    }

    /** Durably replaces the file's content with {@code payload}. */
    void write(byte[] payload) throws IOException {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException(kind + " of " + payload.length + " bytes exceeds the limit of "
                    + MAX_PAYLOAD);
        }
        ByteBuffer buf = ByteBuffer.allocate(OVERHEAD + payload.length);
        buf.putInt(magic).putInt(VERSION).putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        buf.flip();
        Durable.replace(file, buf);
    }

    /** The payload, or empty when the file does not exist; a damaged file is an error naming it. */
    Optional<byte[]> read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length < OVERHEAD) {
            throw new StorageCorruptionException(file, kind + " file is " + bytes.length
                    + " bytes, shorter than its " + OVERHEAD + "-byte frame");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int foundMagic = buf.getInt();
        if (foundMagic != magic) {
            throw new StorageCorruptionException(file, 0, String.format(
                    "not a %s file: magic 0x%08x, expected 0x%08x", kind, foundMagic, magic));
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new StorageCorruptionException(file, 4, kind + " file has unsupported version " + version
                    + " (this build reads version " + VERSION + ")");
        }
        int length = buf.getInt();
        if (length != bytes.length - OVERHEAD) {
            throw new StorageCorruptionException(file, 8, kind + " file declares " + length
                    + " payload bytes but holds " + (bytes.length - OVERHEAD));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new StorageCorruptionException(file, bytes.length - 4, String.format(
                    "%s checksum mismatch: stored 0x%08x, computed 0x%08x", kind, stored, (int) crc.getValue()));
        }
        byte[] payload = new byte[length];
        System.arraycopy(bytes, 12, payload, 0, length);
        return Optional.of(payload);
    }
}
