package dev.meshplane.controlplane.raft.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/** The last events of a run, printed when it fails; everything when replaying one seed verbosely. */
final class Trace {
    private final Deque<String> recent = new ArrayDeque<>();
    private final int capacity;
    private final boolean echo;
    private long step;

    Trace(int capacity, boolean echo) {
        this.capacity = capacity;
        this.echo = echo;
    }

    void at(long step) {
        this.step = step;
    }

    void add(String event) {
        String line = step + ": " + event;
        if (echo) {
            System.out.println(line);
        }
        if (capacity == 0) {
            return;
        }
        if (recent.size() == capacity) {
            recent.removeFirst();
        }
        recent.addLast(line);
    }

    /** Whether every detail (each message, each Ready) is wanted: when replaying one seed. */
    boolean detailed() {
        return echo;
    }

    String dump() {
        return String.join("\n", recent);
    }
}
