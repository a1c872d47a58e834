package dev.meshplane.controlplane.raft.storage;

import java.util.function.LongSupplier;

/**
 * Who may fsync the log (or change its files) right now. A caller that wants its entries durable
 * either finds them already covered, waits while someone else's fsync is in flight, or takes the
 * gate and issues the fsync for everyone who appended before it. When the holder releases the
 * gate all waiters re-check at once, instead of filing through a lock one by one, which on a busy
 * machine would cost a context switch per waiter and defeat the sharing.
 */
final class SyncGate {
    private boolean held;

    /**
     * Returns false as soon as {@code durable} reaches {@code target}; otherwise waits until the
     * gate is free, takes it and returns true (the caller must {@link #release()} it).
     */
    synchronized boolean acquireUnlessDurable(LongSupplier durable, long target) {
        boolean interrupted = false;
        try {
            while (held && durable.getAsLong() < target) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    // An fsync in flight cannot be abandoned halfway; keep the interrupt for later.
                    interrupted = true;
                }
            }
            if (durable.getAsLong() >= target) {
                return false;
            }
            held = true;
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Takes the gate unconditionally (truncation, compaction, close), waiting for a free moment. */
    void acquire() {
        acquireUnlessDurable(() -> Long.MIN_VALUE, Long.MAX_VALUE);
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }
}
