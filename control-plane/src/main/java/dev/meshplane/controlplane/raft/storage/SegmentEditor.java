package dev.meshplane.controlplane.raft.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Removes entries from the ends of the log file set, in an order that leaves a valid log at
 * every step should the process die between steps: suffixes are removed newest segment first
 * with a directory fsync after each deletion (so a crash never leaves a later segment without
 * an earlier one), prefixes only after the compaction point that makes them obsolete is durable.
 */
final class SegmentEditor {
    private final Path dir;
    private final List<Segment> segments;

    SegmentEditor(Path dir, List<Segment> segments) {
        this.dir = dir;
        this.segments = segments;
    }

    /** Durably removes entries at and after {@code index}; the segment holding it (or starting at it) stays. */
    void truncateFrom(long index) throws IOException {
        while (segments.size() > 1 && last().firstIndex() > index) {
            segments.remove(segments.size() - 1).delete();
            Durable.syncDirectory(dir);
        }
        last().truncateFrom(index);
    }

    /** Deletes segments holding only entries at or below {@code compacted}; the active segment always stays. */
    void deleteObsolete(long compacted) throws IOException {
        boolean deleted = false;
        while (segments.size() > 1 && segments.get(0).lastIndex() <= compacted) {
            segments.remove(0).delete();
            deleted = true;
        }
        if (deleted) {
            Durable.syncDirectory(dir);
        }
    }

    /** Durably deletes every segment, newest first; the caller creates the next one. */
    void deleteAll() throws IOException {
        while (!segments.isEmpty()) {
            segments.remove(segments.size() - 1).delete();
            Durable.syncDirectory(dir);
        }
    }

    private Segment last() {
        return segments.get(segments.size() - 1);
    }
}
