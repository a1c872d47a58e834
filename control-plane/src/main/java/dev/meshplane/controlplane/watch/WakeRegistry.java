package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-shot wake-ups for blocking queries. A query registers under the store's read lock right
 * after reading, and changes fire under the write lock, so no change falls between the read and
 * the registration. A wake-up must only hand work to another thread.
 */
public final class WakeRegistry implements StateStore.ChangeListener {
    /** Cancels a registration that has not fired yet (e.g. when its call is cancelled). */
    public interface Registration {
        void cancel();
    }

    private final ConcurrentHashMap<String, Set<Runnable>> waiting = new ConcurrentHashMap<>();

    public Registration register(String key, Runnable wake) {
        waiting.compute(key, (k, set) -> {
            Set<Runnable> s = set == null ? ConcurrentHashMap.<Runnable>newKeySet() : set;
            s.add(wake);
            return s;
        });
        return () -> waiting.computeIfPresent(key, (k, set) -> {
            set.remove(wake);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void onApplied(long index, Changes changes) {
        if (waiting.isEmpty()) {
            return;
        }
        if (changes.isReset()) {
            for (String key : List.copyOf(waiting.keySet())) {
                fire(key);
            }
            return;
        }
        for (String key : changes.kvKeys()) {
            for (int end = 0; end <= key.length(); end++) {
                fire(WakeKeys.kvPrefix(key.substring(0, end)));
            }
        }
        for (String name : changes.serviceNames()) {
            fire(WakeKeys.service(name));
        }
        for (String name : changes.nodeNames()) {
            fire(WakeKeys.node(name));
        }
        if (changes.serviceListChanged()) {
            fire(WakeKeys.SERVICES);
        }
        if (changes.nodeListChanged()) {
            fire(WakeKeys.NODES);
        }
        if (changes.sessionsChanged()) {
            fire(WakeKeys.SESSIONS);
        }
        if (!changes.nodeNames().isEmpty()) {
            fire(WakeKeys.CHECKS);
        }
        if (changes.caRootsChanged()) {
            fire(WakeKeys.CA_ROOTS);
        }
        if (changes.intentionsChanged()) {
            fire(WakeKeys.INTENTIONS);
        }
    }

    private void fire(String key) {
        Set<Runnable> set = waiting.remove(key);
        if (set != null) {
            set.forEach(Runnable::run);
        }
    }

    /** How many wake-ups are registered, for tests and metrics. */
    public int pending() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }
}
