package dev.meshplane.controlplane.raft.storage;

import java.util.Arrays;

/**
 * The term of every entry held in the log, kept as runs (first index of the run, term) because
 * terms change rarely: term lookups, which the Raft core makes on every append, never touch disk.
 */
final class TermIndex {
    private long[] starts = new long[16];
    private long[] terms = new long[16];
    private int runs;

    /** Records that entry {@code index} (the next after the last recorded one) has {@code term}. */
    void append(long index, long term) {
        if (runs > 0 && terms[runs - 1] == term) {
            return;
        }
        if (runs == starts.length) {
            starts = Arrays.copyOf(starts, runs * 2);
            terms = Arrays.copyOf(terms, runs * 2);
        }
        starts[runs] = index;
        terms[runs] = term;
        runs++;
    }

    /** The term of {@code index}; the caller guarantees the index is held. */
    long term(long index) {
        int lo = 0;
        int hi = runs - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (runs == 0 || starts[lo] > index) {
            throw new IllegalStateException("no term recorded for index " + index);
        }
        return terms[lo];
    }

    /** Forgets entries at and after {@code index}. */
    void truncateFrom(long index) {
        while (runs > 0 && starts[runs - 1] >= index) {
            runs--;
        }
    }

    /** Forgets runs that end before {@code index}; the run holding {@code index} stays. */
    void dropBefore(long index) {
        int keepFrom = 0;
        while (keepFrom + 1 < runs && starts[keepFrom + 1] <= index) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, runs - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, runs - keepFrom);
            runs -= keepFrom;
        }
    }

    void clear() {
        runs = 0;
    }
}
