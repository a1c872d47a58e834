package dev.meshplane.controlplane.raft.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stored data failed validation (checksum, framing, magic number, index continuity). The message
 * names the file and, where it applies, the byte offset, so an operator can inspect it. Raised
 * instead of silently dropping data that may have been acknowledged.
 */
public final class StorageCorruptionException extends IOException {
    private final transient Path file;
    private final long offset;

    StorageCorruptionException(Path file, long offset, String problem) {
        super(file + " at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    StorageCorruptionException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.offset = -1;
    }

    /** The file that failed validation. */
    public Path file() {
        return file;
    }

    /** Byte offset of the bad data within {@link #file()}, or -1 when it concerns the whole file. */
    public long offset() {
        return offset;
    }
}
