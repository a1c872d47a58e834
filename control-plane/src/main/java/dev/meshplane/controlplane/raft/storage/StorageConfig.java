package dev.meshplane.controlplane.raft.storage;

/**
 * Settings of Raft's durable storage (log segments, entry cache, snapshot retention).
 *
 * @param segmentBytes      a segment file is closed and a new one started before it would grow
 *                          past this many bytes
 * @param maxEntryBytes     largest serialized entry accepted by {@code append}; must fit in an
 *                          empty segment together with the segment and record headers
 * @param cacheEntries      most recently appended entries kept in memory for reads
 * @param cacheBytes        upper bound on the serialized size of the cached entries
 * @param snapshotsRetained snapshot files kept; older ones are deleted after a new one is stored
 */
public record StorageConfig(
        int segmentBytes, int maxEntryBytes, int cacheEntries, long cacheBytes, int snapshotsRetained) {

    /** Smallest segment allowed: small enough for tests that roll segments, big enough to be sane. */
    static final int MIN_SEGMENT_BYTES = 4 * 1024;
    /** Segment offsets are ints and a whole segment may be mapped during recovery. */
    static final int MAX_SEGMENT_BYTES = 1 << 30;

    public static final StorageConfig DEFAULTS = new StorageConfig(
            // etcd's WAL segment size: few files, and a roll (one extra fsync) every 64 MiB.
            64 * 1024 * 1024,
            // Room for a 128-op transaction of 512 KiB KV values with headroom.
            16 * 1024 * 1024,
            // Covers the entries a follower that is a few seconds behind still needs at ~10k writes/s.
            8192,
            // Bounds the cache when entries are large.
            32L * 1024 * 1024,
            // The newest snapshot plus one to fall back on while a new one is written.
            2);

    public StorageConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes " + segmentBytes + " must be between "
                    + MIN_SEGMENT_BYTES + " and " + MAX_SEGMENT_BYTES);
        }
        if (maxEntryBytes < 1) {
            throw new IllegalArgumentException("maxEntryBytes " + maxEntryBytes + " must be at least 1");
        }
        long room = (long) segmentBytes - Segment.HEADER_BYTES - Frame.HEADER_BYTES;
        if (maxEntryBytes > room) {
            throw new IllegalArgumentException("maxEntryBytes " + maxEntryBytes + " does not fit in a segment of "
                    + segmentBytes + " bytes (at most " + room + " after headers)");
        }
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries " + cacheEntries + " must not be negative");
        }
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes " + cacheBytes + " must not be negative");
        }
        if (snapshotsRetained < 1) {
            throw new IllegalArgumentException("snapshotsRetained " + snapshotsRetained + " must be at least 1");
        }
    }

    /** The defaults with a different segment size and entry limit (tests use small segments). */
    public StorageConfig withSegmentBytes(int segmentBytes, int maxEntryBytes) {
        return new StorageConfig(segmentBytes, maxEntryBytes, cacheEntries, cacheBytes, snapshotsRetained);
    }

    /** The same settings with a different entry cache. */
    public StorageConfig withCache(int cacheEntries, long cacheBytes) {
        return new StorageConfig(segmentBytes, maxEntryBytes, cacheEntries, cacheBytes, snapshotsRetained);
    }

    /** The same settings keeping a different number of snapshots. */
    public StorageConfig withSnapshotsRetained(int snapshotsRetained) {
        return new StorageConfig(segmentBytes, maxEntryBytes, cacheEntries, cacheBytes, snapshotsRetained);
    }
}
