package dev.meshplane.sidecar.checks;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/** Counters of the runner, and an optional hook that sees each run's start lateness. */
public final class RunnerStats {
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder skippedBusy = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final AtomicLong maxLatenessNanos = new AtomicLong();
    private volatile LongConsumer latenessListener = n -> {};

    void recordStarted(long latenessNanos) {
        started.increment();
        maxLatenessNanos.accumulateAndGet(latenessNanos, Math::max);
        latenessListener.accept(latenessNanos);
    }

    void recordCompleted() {
        completed.increment();
    }

    void recordSkippedBusy() {
        skippedBusy.increment();
    }

    void recordTimedOut() {
        timedOut.increment();
    }

    /** Receives, on the run's thread, how late each run started (ns after it was due). */
    public void onLateness(LongConsumer listener) {
        latenessListener = listener;
    }

    public long started() {
        return started.sum();
    }

    public long completed() {
        return completed.sum();
    }

    /** Runs not started because the previous run of the same check was still going. */
    public long skippedBusy() {
        return skippedBusy.sum();
    }

    /** Runs the runner had to cut off because the probe overran its own timeout. */
    public long timedOut() {
        return timedOut.sum();
    }

    public long maxLatenessNanos() {
        return maxLatenessNanos.get();
    }
}
