package dev.meshplane.sidecar.checks;

import java.time.Duration;

/**
 * Time and timers for the check runner and the agent: the seam that lets tests drive them with a
 * manual clock. Tasks run on the scheduler's own thread and must not block.
 */
public interface Scheduler {
    /** Monotonic time, for intervals and lateness. */
    long nanoTime();

    /** Wall-clock time, for expiries that are persisted across restarts. */
    long currentTimeMillis();

    Timer schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be called off. */
    interface Timer {
        void cancel();
    }
}
