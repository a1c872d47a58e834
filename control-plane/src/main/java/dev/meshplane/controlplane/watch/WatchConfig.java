package dev.meshplane.controlplane.watch;

/**
 * Watch stream settings.
 *
 * @param maxPendingEvents events queued for one slow consumer before its stream is reset
 * @param senderThreads    threads that move events from queues onto streams
 */
public record WatchConfig(int maxPendingEvents, int senderThreads) {
    public static final WatchConfig DEFAULTS =
            new WatchConfig(4096, Math.max(2, Runtime.getRuntime().availableProcessors()));

    public WatchConfig {
        if (maxPendingEvents < 1) {
            throw new IllegalArgumentException("maxPendingEvents " + maxPendingEvents + " must be at least 1");
        }
        if (senderThreads < 1) {
            throw new IllegalArgumentException("senderThreads " + senderThreads + " must be at least 1");
        }
    }
}
