package dev.meshplane.controlplane.membership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which catalog nodes carrying {@code serfHealth} have been missing from the LAN pool long
 * enough to be deregistered (Consul's reconcile of reaped members). A node must be seen absent
 * on passes spanning {@code grace} by this leader: a leader whose pool is still filling up after
 * a restart (agents re-join with back-off up to 30 s) does not wipe live nodes. Not thread-safe:
 * the reconciler's single worker thread owns it. Time is passed in, so tests drive it.
 */
final class AbsentNodes {
    private final Map<String, Long> absentSinceNanos = new HashMap<>();

    /**
     * One pass: {@code withSerfHealth} are the nodes carrying the check, {@code inPool} every
     * member name gossip knows (any state). Returns the nodes absent for at least {@code grace}.
     */
    List<String> pass(Set<String> withSerfHealth, Set<String> inPool, long nowNanos, Duration grace) {
        absentSinceNanos.keySet().retainAll(withSerfHealth);
        List<String> due = new ArrayList<>();
        for (String node : withSerfHealth) {
            if (inPool.contains(node)) {
                absentSinceNanos.remove(node);
                continue;
            }
            long since = absentSinceNanos.computeIfAbsent(node, n -> nowNanos);
            if (nowNanos - since >= grace.toNanos()) {
                due.add(node);
            }
        }
        due.forEach(absentSinceNanos::remove);
        return due;
    }

    /** Forgets what was seen (leadership lost, or the pool too small to judge). */
    void clear() {
        absentSinceNanos.clear();
    }
}
