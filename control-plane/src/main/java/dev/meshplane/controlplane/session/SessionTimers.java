package dev.meshplane.controlplane.session;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.SessionDestroy;
import dev.meshplane.proto.v1.Session;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * TTL expiry of sessions, decided by the leader and replicated as a destroy through the log.
 * A session not renewed within twice its TTL (Consul's allowance for clock and scheduling
 * slack) is destroyed. Renewals only reset the leader's timer; a new leader starts every
 * session's timer afresh.
 */
public final class SessionTimers implements StateStore.ChangeListener {
    /** Consul's multiplier: a session outlives a missed renewal by one more TTL. */
    static final int TTL_MULTIPLIER = 2;
    private static final Logger LOG = Logger.getLogger(SessionTimers.class.getName());

    private final StateQueries queries;
    private final Consensus consensus;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private volatile boolean leading;

    public SessionTimers(StateQueries queries, Consensus consensus, ScheduledExecutorService scheduler) {
        this.queries = queries;
        this.consensus = consensus;
        this.scheduler = scheduler;
    }

    /**
     * Leadership gained or lost: only the leader runs timers. (Store reads happen outside this
     * object's monitor: onApplied holds the monitor while the store's write lock is held.)
     */
    public void setLeading(boolean leading) {
        var sessions = leading ? queries.sessions("").value() : java.util.List.<Session>of();
        synchronized (this) {
            this.leading = leading;
            timers.values().forEach(f -> f.cancel(false));
            timers.clear();
            sessions.forEach(this::arm);
        }
    }

    @Override
    public synchronized void onApplied(long index, Changes changes) {
        if (!leading || !changes.sessionsChanged()) {
            return;
        }
        Set<String> live = new HashSet<>();
        for (Session s : queries.sessions("").value()) {
            live.add(s.getId());
            if (!timers.containsKey(s.getId())) {
                arm(s);
            }
        }
        for (String id : Set.copyOf(timers.keySet())) {
            if (!live.contains(id)) {
                timers.remove(id).cancel(false);
            }
        }
    }

    /** Resets the session's timer; false when the session does not exist. */
    public boolean renew(String id) {
        var s = queries.session(id).value();
        if (s.isEmpty()) {
            return false;
        }
        synchronized (this) {
            ScheduledFuture<?> old = timers.remove(id);
            if (old != null) {
                old.cancel(false);
            }
            if (leading) {
                arm(s.get());
            }
        }
        return true;
    }

    private void arm(Session s) {
        Duration ttl = Duration.ofSeconds(s.getTtl().getSeconds(), s.getTtl().getNanos());
        if (ttl.isZero()) {
            return;
        }
        long delay = ttl.toNanos() * TTL_MULTIPLIER;
        timers.put(s.getId(), scheduler.schedule(() -> expire(s.getId()), delay, TimeUnit.NANOSECONDS));
    }

    private void expire(String id) {
        synchronized (this) {
            timers.remove(id);
        }
        LOG.info("session " + id + " expired: not renewed within " + TTL_MULTIPLIER + "x its TTL");
        consensus.propose(Command.newBuilder().setSessionDestroy(
                SessionDestroy.newBuilder().setId(id).setReason("ttl expired")).build())
                .whenComplete((applied, failure) -> {
                    if (failure != null) {
                        LOG.warning("could not expire session " + id + ": " + failure);
                    }
                });
    }

    /** Live timers, for tests. */
    public int armed() {
        return timers.size();
    }
}
