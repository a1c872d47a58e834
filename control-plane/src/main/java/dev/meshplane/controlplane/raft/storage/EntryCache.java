package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.RaftEntry;

/**
 * The most recently appended entries, so that replicating to followers that keep up (the common
 * case) and applying committed entries never read the disk. A ring over a contiguous index range,
 * bounded by entry count and by serialized bytes. Not thread-safe: the log guards it.
 */
final class EntryCache {
    private final RaftEntry[] ring;
    private final int[] sizes;
    private final long maxBytes;
    /** Index of the oldest cached entry; the cache holds [first, first + count). */
    private long first;
    private int count;
    private long bytes;

    EntryCache(int maxEntries, long maxBytes) {
        this.ring = new RaftEntry[maxEntries];
        this.sizes = new int[maxEntries];
        this.maxBytes = maxBytes;
    }

    /** Adds the entry that follows the newest cached one (or restarts the cache at it). */
    void add(RaftEntry entry, int size) {
        if (ring.length == 0 || size > maxBytes) {
            clear();
            return;
        }
        if (count > 0 && entry.getIndex() != first + count) {
            clear();
        }
        if (count == 0) {
            first = entry.getIndex();
        }
        if (count == ring.length) {
            evictOldest();
        }
        int slot = slot(first + count);
        ring[slot] = entry;
        sizes[slot] = size;
        count++;
        bytes += size;
        while (bytes > maxBytes) {
            evictOldest();
        }
    }

    /** The cached entry at {@code index}, or null. */
    RaftEntry get(long index) {
        return contains(index) ? ring[slot(index)] : null;
    }

    int sizeOf(long index) {
        return sizes[slot(index)];
    }

    boolean contains(long index) {
        return count > 0 && index >= first && index < first + count;
    }

    /** Index of the oldest cached entry, or Long.MAX_VALUE when empty. */
    long firstIndex() {
        return count == 0 ? Long.MAX_VALUE : first;
    }

    /** Forgets entries at and after {@code index}. */
    void truncateFrom(long index) {
        while (count > 0 && first + count - 1 >= index) {
            int slot = slot(first + count - 1);
            bytes -= sizes[slot];
            ring[slot] = null;
            count--;
        }
    }

    /** Forgets entries before {@code index}. */
    void dropBefore(long index) {
        while (count > 0 && first < index) {
            evictOldest();
        }
    }

    void clear() {
        truncateFrom(Long.MIN_VALUE);
    }

    private void evictOldest() {
        int slot = slot(first);
        bytes -= sizes[slot];
        ring[slot] = null;
        first++;
        count--;
    }

    private int slot(long index) {
        return (int) Math.floorMod(index, (long) ring.length);
    }
}
