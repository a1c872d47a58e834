package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * Raft's log on disk: an append-only sequence of segment files in one directory, every record
 * framed with its length, index and a CRC32C (formats: docs/raft-storage.md).
 *
 * <p>Writes and durability are separate steps so that fsyncs can be shared: {@link #append}
 * puts entries in the OS page cache, {@link #sync} makes everything appended so far durable with
 * one fsync, and concurrent callers of {@code sync} share the fsync that is in flight or the next
 * one. Nothing is durable (and nothing may be acknowledged) until {@code sync} returns an index at
 * or beyond it. Truncation, compaction and snapshot restore are durable when they return.
 *
 * <p>The read side ({@link #firstIndex}, {@link #lastIndex}, {@link #term}, {@link #entries},
 * {@link #snapshotMetadata}) is what the Raft core reads. Reads of recent entries come from
 * memory; older ones cost one positional read per segment touched, with every CRC checked.
 * I/O failures on the read side surface as {@link UncheckedIOException}.
 *
 * <p>Thread-safe. After a failed write or fsync the log refuses all further writes: the state of
 * the file is then unknown (a failed fsync may have dropped dirty pages), and only reopening,
 * which re-validates every record, can establish it again.
 */
public final class SegmentedLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SegmentedLog.class.getName());

    private final Path dir;
    private final StorageConfig config;
    /** Guards the in-memory view and the files' content; reads share it, writes own it. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Serializes fsyncs, and keeps truncation and compaction out of an fsync's way. */
    private final SyncGate syncGate = new SyncGate();
    private final List<Segment> segments;
    private final TermIndex terms;
    private final EntryCache cache;
    private final BatchEncoder encoder;
    private LogMeta meta;
    private long lastIndex;
    private volatile long durableIndex;
    /** fsyncs of segment data issued (sync and roll), for the benchmark and metrics. */
    private final AtomicLong fsyncs = new AtomicLong();
    /** Set once a write or fsync failed; volatile so that sync's fast path sees it. */
    private volatile IOException failure;
    private volatile boolean closed;

    private SegmentedLog(Path dir, StorageConfig config, List<Segment> segments, TermIndex terms,
            EntryCache cache, LogMeta meta) {
        this.dir = dir;
        this.config = config;
        this.segments = segments;
        this.terms = terms;
        this.cache = cache;
        this.encoder = new BatchEncoder(config.maxEntryBytes());
        this.meta = meta;
        this.lastIndex = active().lastIndex();
        this.durableIndex = lastIndex;
    }

    /**
     * Opens the log in {@code dir}, creating it if needed, and recovers it: every record is
     * validated, a torn write at the very end is cut off (WARNING log line naming file and
     * offset), any other damage fails the open with a {@link StorageCorruptionException} naming
     * file and offset. Everything found is fsynced before this returns, so it is all durable.
     */
    public static SegmentedLog open(Path dir, StorageConfig config) throws IOException {
        LogRecovery.Recovered r = LogRecovery.open(dir, config);
        return new SegmentedLog(dir, config, r.segments(), r.terms(), r.cache(), r.meta());
    }

    // ---- the read side the Raft core uses ----

    /** Index of the first entry held; {@code lastIndex() + 1} when the log is empty. */
    public long firstIndex() {
        lock.readLock().lock();
        try {
            return meta.compactedIndex() + 1;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Index of the last entry appended (durable or not), or {@code firstIndex() - 1} when empty. */
    public long lastIndex() {
        lock.readLock().lock();
        try {
            return lastIndex;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The term of entry {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}; at
     * {@code firstIndex() - 1} it is the term of the last compacted entry (0 for a new log).
     *
     * @throws IllegalArgumentException when the index is outside that range
     */
    public long term(long index) {
        lock.readLock().lock();
        try {
            if (index == meta.compactedIndex()) {
                return meta.compactedTerm();
            }
            checkHeld("term", index);
            return terms.term(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Entries {@code lo <= index < hi}, stopping before the total serialized size would exceed
     * {@code maxBytes}, but always at least one entry when {@code lo < hi}.
     *
     * @throws IllegalArgumentException when the range is not within [firstIndex, lastIndex + 1]
     * @throws UncheckedIOException     when the disk read fails or a record fails its CRC
     */
    public List<RaftEntry> entries(long lo, long hi, long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " must not be negative");
        }
        lock.readLock().lock();
        try {
            if (lo > hi || lo <= meta.compactedIndex() || hi > lastIndex + 1) {
                throw new IllegalArgumentException("entries [" + lo + ", " + hi + ") are not within the log's ["
                        + (meta.compactedIndex() + 1) + ", " + (lastIndex + 1) + ")");
            }
            return new RangeReader(segments, cache, maxBytes).read(lo, hi);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The newest snapshot recorded with {@link #recordSnapshot}/{@link #restoreSnapshot}; index 0 if none. */
    public SnapshotMetadata snapshotMetadata() {
        lock.readLock().lock();
        try {
            return meta.snapshot();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Highest index known to be on disk (fsynced). */
    public long durableIndex() {
        return durableIndex;
    }

    // ---- writes ----

    /**
     * Appends {@code entries}, which must continue the log: the first index is
     * {@code lastIndex() + 1}, indices are consecutive, terms never decrease and start at 1.
     * Writes to the OS only; call {@link #sync} before acknowledging anything.
     *
     * @return the new last index
     * @throws IllegalArgumentException for entries that do not continue the log or exceed
     *                                  {@link StorageConfig#maxEntryBytes()}
     */
    public long append(List<RaftEntry> entries) throws IOException {
        if (entries.isEmpty()) {
            return lastIndex();
        }
        encoder.checkSizes(entries);
        lock.writeLock().lock();
        try {
            checkWritable();
            checkContinues(entries);
            try {
                writeBatch(entries);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "appending entries " + entries.get(0).getIndex() + ".."
                        + entries.get(entries.size() - 1).getIndex());
            }
            return lastIndex;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void checkContinues(List<RaftEntry> entries) {
        long expectedIndex = lastIndex + 1;
        long previousTerm = lastIndex == meta.compactedIndex() ? meta.compactedTerm() : terms.term(lastIndex);
        for (RaftEntry e : entries) {
            if (e.getIndex() != expectedIndex) {
                throw new IllegalArgumentException("entry index " + e.getIndex() + " does not continue the log: "
                        + "expected " + expectedIndex + (e.getIndex() <= lastIndex
                        ? " (truncate the conflicting suffix first)" : ""));
            }
            if (e.getTerm() < 1 || e.getTerm() < previousTerm) {
                throw new IllegalArgumentException("entry " + e.getIndex() + " has term " + e.getTerm()
                        + "; terms start at 1 and may not drop below the previous entry's term " + previousTerm);
            }
            previousTerm = e.getTerm();
            expectedIndex++;
        }
    }

    /** Writes the batch with one write per segment touched, rolling to a new segment when full. */
    private void writeBatch(List<RaftEntry> entries) throws IOException {
        int from = 0;
        while (from < entries.size()) {
            Segment active = active();
            int to = encoder.fill(entries, from, config.segmentBytes() - active.size());
            if (to == from) {
                roll(active);
                continue;
            }
            ByteBuffer frames = encoder.encode(entries, from, to);
            active.append(frames, encoder.frameSizes(), to - from);
            for (int i = from; i < to; i++) {
                RaftEntry e = entries.get(i);
                terms.append(e.getIndex(), e.getTerm());
                cache.add(e, encoder.payloadSize(i - from));
            }
            lastIndex = active.lastIndex();
            from = to;
        }
    }

    /** Seals the full active segment (fsync) and starts the next one. */
    private void roll(Segment full) throws IOException {
        full.force();
        fsyncs.incrementAndGet();
        advanceDurable(full.lastIndex());
        segments.add(Segment.create(dir, full.lastIndex() + 1));
    }

    /**
     * Makes every entry appended before this call durable with one fsync and returns the durable
     * index. Callers arriving while an fsync is in flight wait for it and return at once if it
     * covered them; otherwise one of them issues the next fsync for all.
     */
    public long sync() throws IOException {
        checkWritable();
        long target = lastIndex();
        if (!syncGate.acquireUnlessDurable(() -> durableIndex, target)) {
            return durableIndex;
        }
        try {
            Segment active;
            long covered;
            lock.readLock().lock();
            try {
                checkWritable();
                active = active();
                covered = lastIndex;
            } finally {
                lock.readLock().unlock();
            }
            try {
                // Outside the state lock: appends go on while the disk works; the next sync takes them.
                active.force();
                fsyncs.incrementAndGet();
            } catch (IOException e) {
                lock.writeLock().lock();
                try {
                    throw fail(e, "fsync of " + active.path());
                } finally {
                    lock.writeLock().unlock();
                }
            }
            advanceDurable(covered);
            return durableIndex;
        } finally {
            syncGate.release();
        }
    }

    /** {@link #append} then {@link #sync}; returns the durable index. */
    public long appendAndSync(List<RaftEntry> entries) throws IOException {
        append(entries);
        return sync();
    }

    /**
     * Durably discards entries at and after {@code index} (a conflicting suffix found by the Raft
     * consistency check), so that new entries can be appended at {@code index}. Entries covered
     * by the recorded snapshot are committed and can never be truncated.
     */
    public void truncateSuffix(long index) throws IOException {
        syncGate.acquire();
        lock.writeLock().lock();
        try {
            checkWritable();
            long snapshotIndex = meta.snapshot().getIndex();
            if (index <= snapshotIndex || index > lastIndex + 1) {
                throw new IllegalArgumentException("cannot truncate from index " + index + ": it must be in ["
                        + (snapshotIndex + 1) + ", " + (lastIndex + 1) + "] (entries up to " + snapshotIndex
                        + " are in a snapshot, the log ends at " + lastIndex + ")");
            }
            if (index == lastIndex + 1) {
                return;
            }
            try {
                new SegmentEditor(dir, segments).truncateFrom(index);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "truncating from index " + index);
            }
            terms.truncateFrom(index);
            cache.truncateFrom(index);
            lastIndex = index - 1;
            durableIndex = lastIndex;
        } finally {
            lock.writeLock().unlock();
            syncGate.release();
        }
    }

    /**
     * Records that a snapshot covering entries up to {@code snapshot.index} is stored durably,
     * which allows {@link #compact} up to that index. The entry at that index must be in the log
     * with the snapshot's term (use {@link #restoreSnapshot} for a snapshot from the leader).
     */
    public void recordSnapshot(SnapshotMetadata snapshot) throws IOException {
        syncGate.acquire();
        lock.writeLock().lock();
        try {
            checkWritable();
            long index = snapshot.getIndex();
            if (index == meta.snapshot().getIndex() && snapshot.equals(meta.snapshot())) {
                return;
            }
            if (index <= meta.snapshot().getIndex() || index > lastIndex) {
                throw new IllegalArgumentException("snapshot at index " + index + " must be newer than the recorded "
                        + "snapshot at " + meta.snapshot().getIndex() + " and within the log ending at " + lastIndex);
            }
            long term = terms.term(index);
            if (term != snapshot.getTerm()) {
                throw new IllegalArgumentException("snapshot at index " + index + " has term " + snapshot.getTerm()
                        + " but the log has term " + term + " there");
            }
            writeMeta(new LogMeta(meta.compactedIndex(), meta.compactedTerm(), snapshot));
        } finally {
            lock.writeLock().unlock();
            syncGate.release();
        }
    }

    /**
     * Durably discards entries up to and including {@code index} (after a snapshot): the
     * compaction point is written first, then segments that hold only discarded entries are
     * deleted. Compacting to an index at or below the current compaction point does nothing.
     *
     * @throws IllegalArgumentException when {@code index} is beyond the recorded snapshot
     */
    public void compact(long index) throws IOException {
        syncGate.acquire();
        lock.writeLock().lock();
        try {
            checkWritable();
            if (index <= meta.compactedIndex()) {
                return;
            }
            if (index > meta.snapshot().getIndex()) {
                throw new IllegalArgumentException("cannot compact to index " + index
                        + ": the recorded snapshot covers only up to " + meta.snapshot().getIndex());
            }
            long term = terms.term(index);
            writeMeta(new LogMeta(index, term, meta.snapshot()));
            try {
                new SegmentEditor(dir, segments).deleteObsolete(index);
            } catch (IOException | RuntimeException e) {
                throw fail(e, "deleting segments compacted up to " + index);
            }
            cache.dropBefore(index + 1);
            terms.dropBefore(index + 1);
        } finally {
            lock.writeLock().unlock();
            syncGate.release();
        }
    }

    /**
     * Installs a snapshot received from the leader (after the snapshot file is stored). If the
     * log holds the snapshot's last entry with the same term, the entries after it are kept and
     * only the prefix is discarded; otherwise the whole log is discarded and it continues at
     * {@code snapshot.index + 1} (Raft, figure 13, steps 6 and 7). Durable when it returns.
     */
    public void restoreSnapshot(SnapshotMetadata snapshot) throws IOException {
        syncGate.acquire();
        lock.writeLock().lock();
        try {
            checkWritable();
            long index = snapshot.getIndex();
            if (snapshot.equals(meta.snapshot())) {
                return;
            }
            if (index <= meta.snapshot().getIndex()) {
                throw new IllegalArgumentException("snapshot at index " + index
                        + " is not newer than the recorded snapshot at " + meta.snapshot().getIndex());
            }
            boolean matches = index <= lastIndex && terms.term(index) == snapshot.getTerm();
            try {
                if (matches) {
                    writeMeta(new LogMeta(index, snapshot.getTerm(), snapshot));
                    new SegmentEditor(dir, segments).deleteObsolete(index);
                    cache.dropBefore(index + 1);
                    terms.dropBefore(index + 1);
                } else {
                    // Old entries go first: were the new compaction point written first, a crash
                    // could leave entries after it whose terms contradict the snapshot.
                    new SegmentEditor(dir, segments).deleteAll();
                    writeMeta(new LogMeta(index, snapshot.getTerm(), snapshot));
                    segments.add(Segment.create(dir, index + 1));
                    cache.clear();
                    terms.clear();
                    lastIndex = index;
                    durableIndex = index;
                }
            } catch (IOException | RuntimeException e) {
                throw fail(e, "restoring snapshot at index " + index);
            }
        } finally {
            lock.writeLock().unlock();
            syncGate.release();
        }
    }

    private void writeMeta(LogMeta next) throws IOException {
        try {
            next.write(dir);
        } catch (IOException e) {
            throw fail(e, "writing " + LogMeta.FILE_NAME);
        }
        meta = next;
    }

    /** The directory holding the segment files. */
    public Path directory() {
        return dir;
    }

    /** fsyncs of segment data so far (each {@link #sync} that had work, plus one per segment roll). */
    public long fsyncCount() {
        return fsyncs.get();
    }

    /** Number of segment files, for tests and metrics. */
    int segmentCount() {
        lock.readLock().lock();
        try {
            return segments.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Closes the files after a final fsync of what was appended (if the log is healthy). */
    @Override
    public void close() throws IOException {
        syncGate.acquire();
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException first = null;
            if (failure == null && !segments.isEmpty()) {
                try {
                    active().force();
                    advanceDurable(lastIndex);
                } catch (IOException e) {
                    first = e;
                }
            }
            for (Segment s : segments) {
                try {
                    s.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            lock.writeLock().unlock();
            syncGate.release();
        }
    }

    private Segment active() {
        return segments.get(segments.size() - 1);
    }

    private void advanceDurable(long index) {
        synchronized (this) {
            if (index > durableIndex) {
                durableIndex = index;
            }
        }
    }

    private void checkHeld(String what, long index) {
        if (index <= meta.compactedIndex() || index > lastIndex) {
            throw new IllegalArgumentException(what + " of index " + index + ": the log holds ["
                    + (meta.compactedIndex() + 1) + ", " + lastIndex + "]"
                    + (index <= meta.compactedIndex() ? ", earlier entries are compacted into a snapshot" : ""));
        }
    }

    private void checkWritable() throws IOException {
        if (closed) {
            throw new IllegalStateException("Raft log in " + dir + " is closed");
        }
        if (failure != null) {
            throw new IOException("Raft log in " + dir + " failed earlier and accepts no writes until reopened",
                    failure);
        }
    }

    /** Marks the log failed (caller holds the write lock) and returns the exception to throw. */
    private IOException fail(Exception cause, String during) {
        if (cause == failure) {
            return failure;
        }
        IOException e = cause instanceof IOException io ? io : new IOException(cause);
        failure = new IOException("Raft log in " + dir + " failed while " + during + ": " + cause.getMessage(), e);
        LOG.severe(failure.getMessage());
        return failure;
    }
}
