package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves one {@code entries(lo, hi, maxBytes)} call: from the cache where it can, otherwise
 * with one positional read per segment touched, never reading past the byte budget (sizes are
 * known from the offset index without touching the disk).
 */
final class RangeReader {
    private final List<Segment> segments;
    private final EntryCache cache;
    private final long maxBytes;
    private final List<RaftEntry> out = new ArrayList<>();
    private long bytes;
    private int counted;

    RangeReader(List<Segment> segments, EntryCache cache, long maxBytes) {
        this.segments = segments;
        this.cache = cache;
        this.maxBytes = maxBytes;
    }

    /** Entries [lo, hi) within the budget; the caller checked the range is held. */
    List<RaftEntry> read(long lo, long hi) throws IOException {
        long index = lo;
        while (index < hi) {
            if (cache.contains(index)) {
                if (!fits(cache.sizeOf(index))) {
                    break;
                }
                out.add(cache.get(index));
                index++;
                continue;
            }
            Segment segment = find(index);
            long end = Math.min(hi, Math.min(segment.lastIndex() + 1, cache.firstIndex()));
            long stop = index;
            while (stop < end && fits(segment.payloadSize(stop))) {
                stop++;
            }
            if (stop == index) {
                break;
            }
            out.addAll(segment.read(index, stop));
            if (stop < end) {
                break;
            }
            index = stop;
        }
        return out;
    }

    /** Whether an entry of {@code size} bytes still fits; counts it if so. The first always fits. */
    private boolean fits(int size) {
        if (counted > 0 && bytes + size > maxBytes) {
            return false;
        }
        bytes += size;
        counted++;
        return true;
    }

    private Segment find(long index) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).firstIndex() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Segment s = segments.get(lo);
        if (!s.holds(index)) {
            throw new IllegalStateException("no segment holds index " + index + " (log bug)");
        }
        return s;
    }
}
