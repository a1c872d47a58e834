package dev.meshplane.controlplane.watch;

/** Where a topic delivers its events: one watch stream, or a group of watches sharing a stream. */
interface Sink {
    /** Called under the store's write lock (deltas) or read lock (snapshots): must not block. */
    void offer(EncodedEvent event);
}
