package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.proto.v1.WatchEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One watched result shared by every subscriber that asked for it: it keeps the result
 * current from the changes of each write, computes each delta once, and hands the same event
 * to every subscriber.
 */
abstract class Topic {
    private final List<Sink> subscribers = new CopyOnWriteArrayList<>();
    private EncodedEvent cachedSnapshot;
    private long cachedIndex = -1;

    /** The complete result as a SNAPSHOT event. Called under the store's read lock. */
    protected abstract WatchEvent buildSnapshot(long index);

    /**
     * Brings the result up to {@code index} and returns the event describing the change, or
     * null if the result did not change. Called under the store's write lock.
     */
    protected abstract WatchEvent applyChanges(long index, Changes changes);

    /** Recomputes the whole result from the store (after a snapshot restore). */
    protected abstract void reload();

    /** Called under the store's read lock, possibly by several subscribers at once. */
    final synchronized EncodedEvent snapshot(long index) {
        if (cachedIndex != index) {
            cachedSnapshot = EncodedEvent.of(buildSnapshot(index));
            cachedIndex = index;
        }
        return cachedSnapshot;
    }

    final void onApplied(long index, Changes changes) {
        WatchEvent event;
        EncodedEvent encoded = null;
        synchronized (this) {
            if (changes.isReset()) {
                // The state was replaced: indexes may have gone backwards, so consumers must
                // drop what they hold and take a fresh snapshot.
                reload();
                cachedIndex = -1;
                event = buildSnapshot(index);
            } else {
                event = applyChanges(index, changes);
            }
            if (event != null) {
                cachedIndex = -1;
                cachedSnapshot = null;
                encoded = EncodedEvent.of(event);
            }
        }
        if (encoded != null) {
            for (Sink s : subscribers) {
                s.offer(encoded);
            }
        }
    }

    final void add(Sink s) {
        subscribers.add(s);
    }

    /** Returns true when the topic has no subscribers left. */
    final boolean remove(Sink s) {
        subscribers.remove(s);
        return subscribers.isEmpty();
    }

    final int subscriberCount() {
        return subscribers.size();
    }
}
