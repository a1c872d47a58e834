package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a batch of entries into frames laid out back to back in one reused direct buffer, so
 * that a batch costs one write system call per segment it lands in. Used under the log's write
 * lock only.
 */
final class BatchEncoder {
    private final int maxEntryBytes;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private int[] frameSizes = new int[64];

    BatchEncoder(int maxEntryBytes) {
        this.maxEntryBytes = maxEntryBytes;
    }

    /** Rejects entries larger than the configured limit, naming the first one. */
    void checkSizes(List<RaftEntry> entries) {
        for (RaftEntry e : entries) {
            int size = e.getSerializedSize();
            if (size > maxEntryBytes) {
                throw new IllegalArgumentException("entry " + e.getIndex() + " is " + size
                        + " bytes serialized, over the limit of " + maxEntryBytes + " (maxEntryBytes)");
            }
        }
    }

    /** The end (exclusive) of the longest run of entries from {@code from} whose frames fit in {@code room} bytes. */
    int fill(List<RaftEntry> entries, int from, long room) {
        int to = from;
        long used = 0;
        while (to < entries.size()) {
            int frame = Frame.size(entries.get(to).getSerializedSize());
            if (used + frame > room) {
                break;
            }
            used += frame;
            to++;
        }
        return to;
    }

    /** Frames for entries [from, to), ready to write (position 0, limit at the end). */
    ByteBuffer encode(List<RaftEntry> entries, int from, int to) throws IOException {
        int n = to - from;
        if (frameSizes.length < n) {
            frameSizes = Arrays.copyOf(frameSizes, Math.max(n, frameSizes.length * 2));
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            frameSizes[i] = Frame.size(entries.get(from + i).getSerializedSize());
            total += frameSizes[i];
        }
        if (buffer.capacity() < total) {
            // A run never exceeds the room left in a segment, so the cap cannot cut it short.
            buffer = ByteBuffer.allocateDirect(
                    (int) Math.min(Math.max(total, buffer.capacity() * 2L), StorageConfig.MAX_SEGMENT_BYTES));
        }
        buffer.clear();
        for (int i = 0; i < n; i++) {
            RaftEntry e = entries.get(from + i);
            Frame.write(buffer, e, frameSizes[i] - Frame.HEADER_BYTES);
        }
        return buffer.flip();
    }

    /** Frame sizes of the last encoded run, in order. */
    int[] frameSizes() {
        return frameSizes;
    }

    /** Payload (serialized entry) size of the k-th entry of the last encoded run. */
    int payloadSize(int k) {
        return frameSizes[k] - Frame.HEADER_BYTES;
    }
}
