package dev.meshplane.controlplane.session;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Keys whose lock was lost with its session may not be re-acquired for the session's lock
 * delay, so a new holder cannot act while the old one may still believe it holds the lock.
 * This is local time, kept by every server from the changes it applies and consulted by the
 * server that accepts an acquire before it enters the log (as Consul does): the log itself stays
 * deterministic.
 */
public final class LockDelays implements StateStore.ChangeListener {
    private final Map<String, Long> deadlines = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public LockDelays(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public void onApplied(long index, Changes changes) {
        long now = nanoClock.getAsLong();
        for (Map.Entry<String, Duration> e : changes.lockDelays().entrySet()) {
            deadlines.merge(e.getKey(), now + e.getValue().toNanos(), Math::max);
        }
    }

    /** Whether the key is still within a lock delay. */
    public boolean blocked(String key) {
        Long deadline = deadlines.get(key);
        if (deadline == null) {
            return false;
        }
        if (nanoClock.getAsLong() - deadline >= 0) {
            deadlines.remove(key, deadline);
            return false;
        }
        return true;
    }
}
