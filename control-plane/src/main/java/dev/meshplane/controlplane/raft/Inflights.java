package dev.meshplane.controlplane.raft;

/**
 * The append messages in flight to one follower, oldest first, each remembered by the index of
 * its last entry. A fixed ring: when it is full the leader waits for acknowledgements before it
 * sends more (pipelining with back-pressure).
 */
final class Inflights {
    private final long[] lastIndexes;
    private int start;
    private int count;

    Inflights(int capacity) {
        this.lastIndexes = new long[capacity];
    }

    void add(long lastIndex) {
        if (full()) {
            throw new IllegalStateException("inflights full (" + count + "), cannot add " + lastIndex);
        }
        lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** Forgets every message whose last entry is at or below {@code index} (acknowledged). */
    void freeUpTo(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
        if (count == 0) {
            start = 0;
        }
    }

    /** Forgets the oldest message, presumed lost. */
    void freeFirst() {
        if (count > 0) {
            freeUpTo(lastIndexes[start]);
        }
    }

    boolean full() {
        return count == lastIndexes.length;
    }

    int count() {
        return count;
    }

    void reset() {
        start = 0;
        count = 0;
    }
}
