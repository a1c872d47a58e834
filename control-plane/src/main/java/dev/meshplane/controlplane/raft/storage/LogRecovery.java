package dev.meshplane.controlplane.raft.storage;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Reads the segment files back on open and decides what a damaged record means.
 *
 * <p>Every record's CRC and index are checked. A bad record in the LAST segment with no intact
 * record anywhere after it is a write cut short by a crash: it was never fsynced, hence never
 * acknowledged, so it is cut off with a WARNING naming file and offset. A bad record with an
 * intact one after it, or in any earlier segment (those were fsynced before the next segment was
 * created), is damage to data that may have been acknowledged: the open fails naming file and
 * offset. Indices must run on without a gap across segments, and terms must never decrease.
 */
final class LogRecovery {
    private static final Logger LOG = Logger.getLogger(LogRecovery.class.getName());

    private final TermIndex terms;
    private final EntryCache cache;
    private long nextIndex = -1;
    private long previousTerm;
    private Path previousFile;

    LogRecovery(TermIndex terms, EntryCache cache) {
        this.terms = terms;
        this.cache = cache;
    }

    /** What {@link #open} found: the segments (the last one active) and what was learned reading them. */
    record Recovered(List<Segment> segments, TermIndex terms, EntryCache cache, LogMeta meta) {}

    /**
     * Recovers the log in {@code dir}: removes leftover temp files, reads the compaction point,
     * validates every segment, finishes an interrupted compaction, and fsyncs the active segment
     * (records found after a crash may be only in the page cache; they must be durable before
     * anything is said about them).
     */
    static Recovered open(Path dir, StorageConfig config) throws IOException {
        Durable.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path p : (Iterable<Path>) listing::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(Durable.TEMP_SUFFIX)) {
                    LOG.info(() -> "Raft log: removing " + p + ", left over from an interrupted write");
                    Files.delete(p);
                } else if (Segment.firstIndexOf(name) >= 0) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparingLong(p -> Segment.firstIndexOf(p.getFileName().toString())));
        LogMeta meta = LogMeta.read(dir);
        TermIndex terms = new TermIndex();
        EntryCache cache = new EntryCache(config.cacheEntries(), config.cacheBytes());
        List<Segment> segments = new ArrayList<>(new LogRecovery(terms, cache).recover(files));
        try {
            // Checked before anything is deleted: a refused open must leave the files as they were.
            checkCompactionTerm(dir, segments, terms, meta);
            dropCompacted(dir, segments, meta);
            segments.get(segments.size() - 1).force();
            cache.dropBefore(meta.compactedIndex() + 1);
            terms.dropBefore(meta.compactedIndex() + 1);
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments) {
                s.close();
            }
            throw e;
        }
        return new Recovered(segments, terms, cache, meta);
    }

    /**
     * Applies the compaction point to the recovered segments: deletes those it made obsolete
     * (a crash may have interrupted compaction), checks nothing between it and the first segment
     * is missing, and starts an empty segment when none is left.
     */
    private static void dropCompacted(Path dir, List<Segment> segments, LogMeta meta) throws IOException {
        long compacted = meta.compactedIndex();
        boolean deleted = false;
        while (!segments.isEmpty() && segments.get(0).lastIndex() <= compacted
                && (segments.size() > 1 || segments.get(0).lastIndex() < compacted)) {
            segments.remove(0).delete();
            deleted = true;
        }
        if (deleted) {
            Durable.syncDirectory(dir);
        }
        if (segments.isEmpty()) {
            segments.add(Segment.create(dir, compacted + 1));
            return;
        }
        Segment first = segments.get(0);
        if (first.firstIndex() > compacted + 1) {
            throw new StorageCorruptionException(first.path(), 8, "log is compacted up to index " + compacted
                    + " but its first segment starts at index " + first.firstIndex() + ": entries "
                    + (compacted + 1) + ".." + (first.firstIndex() - 1) + " are missing");
        }
    }

    /** Where the entry at the compaction point is still on disk, its term must be the one recorded. */
    private static void checkCompactionTerm(Path dir, List<Segment> segments, TermIndex terms, LogMeta meta)
            throws StorageCorruptionException {
        long compacted = meta.compactedIndex();
        if (segments.isEmpty()) {
            return;
        }
        Segment first = segments.get(0);
        if (compacted >= first.firstIndex() && compacted <= segments.get(segments.size() - 1).lastIndex()
                && terms.term(compacted) != meta.compactedTerm()) {
            throw new StorageCorruptionException(dir.resolve(LogMeta.FILE_NAME), "records term "
                    + meta.compactedTerm() + " for the compacted entry " + compacted + " but the log holds term "
                    + terms.term(compacted) + " for it");
        }
    }

    /** Opens {@code files} (segment files in index order); on failure none stays open. */
    private List<Segment> recover(List<Path> files) throws IOException {
        List<Segment> segments = new ArrayList<>(files.size());
        try {
            for (int i = 0; i < files.size(); i++) {
                segments.add(recoverSegment(files.get(i), i == files.size() - 1));
            }
        } catch (IOException | RuntimeException e) {
            for (Segment s : segments) {
                s.close();
            }
            throw e;
        }
        return segments;
    }

    private Segment recoverSegment(Path path, boolean last) throws IOException {
        FileChannel channel = FileChannel.open(path, READ, WRITE);
        try {
            return scan(path, channel, last);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private Segment scan(Path path, FileChannel channel, boolean last) throws IOException {
        long fileSize = channel.size();
        if (fileSize > StorageConfig.MAX_SEGMENT_BYTES) {
            throw new StorageCorruptionException(path, "segment is " + fileSize + " bytes, larger than any "
                    + "segment this build writes (" + StorageConfig.MAX_SEGMENT_BYTES + ")");
        }
        ByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        long first = Segment.readHeader(path, buf);
        long named = Segment.firstIndexOf(path.getFileName().toString());
        if (first != named) {
            throw new StorageCorruptionException(path, 8, "header says the segment starts at index " + first
                    + " but its name says " + named);
        }
        if (nextIndex >= 0 && first != nextIndex) {
            throw new StorageCorruptionException(path, 8, "segment starts at index " + first
                    + " but the previous segment " + previousFile + " ends at index " + (nextIndex - 1)
                    + (first > nextIndex ? ": entries are missing" : ": segments overlap"));
        }
        int size = (int) fileSize;
        int[] offsets = new int[64];
        offsets[0] = Segment.HEADER_BYTES;
        int count = 0;
        int pos = Segment.HEADER_BYTES;
        long expected = first;
        String problem = null;
        while (pos < size) {
            problem = frameProblem(buf, pos);
            if (problem != null) {
                break;
            }
            int length = Frame.payloadLength(buf, pos);
            RaftEntry entry = decode(path, buf, pos, length, expected);
            terms.append(expected, entry.getTerm());
            cache.add(entry, length);
            pos += Frame.size(length);
            expected++;
            count++;
            if (count + 1 == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[count] = pos;
        }
        if (problem != null) {
            if (!last) {
                throw new StorageCorruptionException(path, pos, problem + "; this segment was complete and "
                        + "fsynced before the next one was started, so acknowledged entries may be damaged");
            }
            int intact = findIntactFrame(buf, pos + 1, expected);
            if (intact >= 0) {
                throw new StorageCorruptionException(path, pos, problem + "; an intact record (index "
                        + Frame.index(buf, intact) + ") follows at byte offset " + intact
                        + ", so this is damage inside the log, not a write cut short at its end");
            }
            String reason = problem;
            int cut = pos;
            long intactUpTo = expected - 1;
            LOG.warning(() -> String.format("Raft log %s: cutting off a torn write at byte offset %d "
                    + "(%d bytes: %s); entries up to %d are intact", path, cut, size - cut, reason, intactUpTo));
            buf = null;
            channel.truncate(pos);
            channel.force(true);
        }
        nextIndex = expected;
        previousFile = path;
        return new Segment(path, first, channel, offsets, count);
    }

    /** Why the frame at {@code pos} is not a whole, CRC-valid record; null if it is one. */
    private static String frameProblem(ByteBuffer buf, int pos) {
        int remaining = buf.limit() - pos;
        if (remaining < Frame.HEADER_BYTES) {
            return "partial record header (" + remaining + " of " + Frame.HEADER_BYTES + " bytes)";
        }
        int length = Frame.payloadLength(buf, pos);
        if (length <= 0) {
            return "record length " + length + " is not positive";
        }
        if (length > remaining - Frame.HEADER_BYTES) {
            return "record of " + length + " payload bytes runs past the end of the file ("
                    + (remaining - Frame.HEADER_BYTES) + " left)";
        }
        int stored = Frame.storedCrc(buf, pos);
        int computed = Frame.crc(buf, pos, length);
        if (stored != computed) {
            return String.format("record checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed);
        }
        return null;
    }

    /** Parses a CRC-valid frame; a wrong index or term order here is corruption, never a torn write. */
    private RaftEntry decode(Path path, ByteBuffer buf, int pos, int length, long expected)
            throws StorageCorruptionException {
        long index = Frame.index(buf, pos);
        if (index != expected) {
            throw new StorageCorruptionException(path, pos, "record holds index " + index + " where index "
                    + expected + " was expected: the log has a gap or stale data");
        }
        RaftEntry entry;
        try {
            entry = RaftEntry.parseFrom(Frame.payload(buf, pos, length));
        } catch (InvalidProtocolBufferException e) {
            throw new StorageCorruptionException(path, pos, "record for index " + index
                    + " passes its checksum but does not parse: " + e.getMessage());
        }
        if (entry.getIndex() != index) {
            throw new StorageCorruptionException(path, pos, "record header says index " + index
                    + " but the entry inside says " + entry.getIndex());
        }
        if (entry.getTerm() < previousTerm) {
            throw new StorageCorruptionException(path, pos, "entry " + index + " has term " + entry.getTerm()
                    + ", lower than the term " + previousTerm + " of the entry before it");
        }
        previousTerm = entry.getTerm();
        return entry;
    }

    /** Offset of the first intact frame at or after {@code from}, or -1. */
    private static int findIntactFrame(ByteBuffer buf, int from, long expected) {
        // No frame is shorter than a header plus one byte, which bounds the indices that can follow.
        long maxIndex = expected + (buf.limit() - from) / (Frame.HEADER_BYTES + 1) + 1;
        for (int p = from; p <= buf.limit() - Frame.HEADER_BYTES; p++) {
            if (Frame.isValidAt(buf, p, expected, maxIndex)) {
                return p;
            }
        }
        return -1;
    }
}
