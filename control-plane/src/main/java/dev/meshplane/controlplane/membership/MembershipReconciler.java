package dev.meshplane.controlplane.membership;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the catalog reflect the LAN pool, as Consul's leader does: every alive member's node
 * carries a passing {@code serfHealth} check, a failed member's check is critical, and a member
 * that left (or was reaped) has its node deregistered. Only the leader writes, through the
 * ordinary replicated log; it reconciles every member when it becomes leader, on each membership
 * event, and every {@link #RECONCILE_INTERVAL} to repair whatever a lost write or a leadership
 * change left behind. A catalog node that carries {@code serfHealth} but is not in the pool at
 * all (its agent died while no leader watched, or was reaped unseen) is deregistered once it
 * has been absent for {@link #DEFAULT_ABSENT_GRACE}, as Consul's reconcile of reaped members
 * does; nodes without {@code serfHealth} (registered straight into the catalog: external
 * services) are left alone, and so is everything while the pool holds no alive member but this
 * server (gossip not joined yet, or joined to nobody).
 */
public final class MembershipReconciler implements AutoCloseable {
    public static final String CHECK_ID = "serfHealth";
    public static final String CHECK_NAME = "Serf Health Status";
    public static final String ALIVE_OUTPUT = "Agent alive and reachable";
    public static final String FAILED_OUTPUT = "Agent not live or unreachable";
    /** Consul's reconcile_interval. */
    public static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(60);
    /**
     * How long a node carrying serfHealth must be missing from the pool, seen by one leader, before
     * it is deregistered: the pool of a restarted server fills up as agents re-join (their back-off
     * reaches 30 s), so two reconcile intervals.
     */
    public static final Duration DEFAULT_ABSENT_GRACE = RECONCILE_INTERVAL.multipliedBy(2);
    /** How long one write may take before the reconciler moves on (the next pass retries). */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(MembershipReconciler.class.getName());

    private final Consensus consensus;
    private final StateQueries queries;
    private final String datacenter;
    // One thread: writes about one member never overtake each other.
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "membership-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledFuture<?> periodic;
    private volatile Supplier<List<PoolMember>> pool = List::of;
    /** False until an agent attaches its pool: without gossip there is nothing to sweep against. */
    private volatile boolean poolAttached;
    private volatile boolean leading;
    private volatile Duration absentGrace = DEFAULT_ABSENT_GRACE;
    private final AbsentNodes absent = new AbsentNodes();

    public MembershipReconciler(Consensus consensus, StateQueries queries, String datacenter,
                                ScheduledExecutorService timer) {
        this.consensus = consensus;
        this.queries = queries;
        this.datacenter = datacenter;
        this.periodic = timer.scheduleWithFixedDelay(this::reconcileAll, RECONCILE_INTERVAL.toMillis(),
                RECONCILE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Where the current members come from (the agent's LAN pool); reconciles them if leading. */
    public void setPool(Supplier<List<PoolMember>> members) {
        this.pool = members;
        this.poolAttached = true;
        reconcileAll();
    }

    /** Leadership changes: a new leader reconciles the whole pool. */
    public void setLeading(boolean leading) {
        this.leading = leading;
        if (leading) {
            reconcileAll();
        } else {
            worker.execute(absent::clear);
        }
    }

    /** How long a serfHealth node must be absent from the pool before it is deregistered (tests shorten it). */
    public void setAbsentGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("absent grace " + grace + " must not be negative");
        }
        this.absentGrace = grace;
    }

    /** A membership event: reconciles that member (if this server leads). */
    public void memberChanged(PoolMember member) {
        if (leading) {
            worker.execute(() -> reconcile(member));
        }
    }

    /** Queues a pass over every member; returns at once. */
    public void reconcileAll() {
        if (!leading) {
            return;
        }
        worker.execute(() -> {
            List<PoolMember> members = pool.get();
            for (PoolMember m : members) {
                reconcile(m);
            }
            sweepAbsent(members);
        });
    }

    /** Waits until the work queued so far is done (tests). */
    public void awaitIdle(Duration timeout) throws Exception {
        worker.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void reconcile(PoolMember m) {
        if (!leading || (!m.datacenter().isEmpty() && !m.datacenter().equals(datacenter))) {
            return;
        }
        Optional<GetNodeResponse> stored = queries.node(m.name()).value();
        try {
            switch (m.state()) {
                case ALIVE -> ensureCheck(m, stored, HealthStatus.HEALTH_STATUS_PASSING, ALIVE_OUTPUT);
                case FAILED -> ensureCheck(m, stored, HealthStatus.HEALTH_STATUS_CRITICAL, FAILED_OUTPUT);
                case LEFT -> deregister(m.name(), stored, "left");
                case REAPED -> {
                    if (stored.isPresent() && stored.get().getChecksList().stream()
                            .anyMatch(c -> c.getCheckId().equals(CHECK_ID))) {
                        deregister(m.name(), stored, "was reaped");
                    }
                }
            }
        } catch (Exception e) {
            LOG.log(Level.FINE, "membership: could not reconcile " + m + "; the next pass retries", e);
        }
    }

    /** Deregisters serfHealth nodes that have been missing from the pool for the grace period. */
    private void sweepAbsent(List<PoolMember> members) {
        long alive = members.stream().filter(m -> m.state() == PoolMember.State.ALIVE).count();
        if (!leading || !poolAttached || alive < 2) {
            // Alone in the pool: it is not joined yet, or joined to nobody (servers listed by RPC
            // port only); absence from it proves nothing.
            absent.clear();
            return;
        }
        Set<String> inPool = members.stream().map(PoolMember::name).collect(Collectors.toSet());
        Set<String> withSerfHealth = new HashSet<>();
        for (Check c : queries.checksInState(HealthStatus.HEALTH_STATUS_UNSPECIFIED).value()) {
            if (c.getCheckId().equals(CHECK_ID)) {
                withSerfHealth.add(c.getNode());
            }
        }
        for (String node : absent.pass(withSerfHealth, inPool, System.nanoTime(), absentGrace)) {
            Optional<GetNodeResponse> stored = queries.node(node).value();
            String dc = stored.map(r -> r.getNode().getDatacenter()).orElse("");
            if (!dc.isEmpty() && !dc.equals(datacenter)) {
                continue;
            }
            try {
                deregister(node, stored, "carries " + CHECK_ID + " but is not in the LAN pool");
            } catch (Exception e) {
                LOG.log(Level.FINE, "membership: could not deregister absent node " + node + "; the next pass retries", e);
            }
        }
    }

    private void ensureCheck(PoolMember m, Optional<GetNodeResponse> stored, HealthStatus status, String output)
            throws Exception {
        Check want = Check.newBuilder().setNode(m.name()).setCheckId(CHECK_ID).setName(CHECK_NAME)
                .setStatus(status).setOutput(output).setType("serf").build();
        Node node;
        if (stored.isPresent()) {
            boolean same = stored.get().getChecksList().stream().anyMatch(c -> c.getCheckId().equals(CHECK_ID)
                    && c.toBuilder().clearCreateIndex().clearModifyIndex().build().equals(want));
            if (same) {
                return;
            }
            node = stored.get().getNode().toBuilder().clearCreateIndex().clearModifyIndex().build();
        } else {
            if (status != HealthStatus.HEALTH_STATUS_PASSING && m.address().isEmpty()) {
                return;
            }
            node = Node.newBuilder().setName(m.name()).setAddress(m.address())
                    .setDatacenter(m.datacenter().isEmpty() ? datacenter : m.datacenter()).build();
        }
        propose(Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder().setNode(node)
                .addChecks(want)).build());
        LOG.info("membership: " + m.name() + " " + CHECK_ID + " is "
                + (status == HealthStatus.HEALTH_STATUS_PASSING ? "passing" : "critical"));
    }

    private void deregister(String name, Optional<GetNodeResponse> stored, String why) throws Exception {
        if (stored.isEmpty()) {
            return;
        }
        propose(Command.newBuilder().setCatalogDeregister(CatalogDeregisterRequest.newBuilder().setNode(name))
                .build());
        LOG.info("membership: node " + name + " " + why + "; deregistered from the catalog");
    }

    private void propose(Command command) throws Exception {
        consensus.propose(command).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        periodic.cancel(false);
        worker.shutdownNow();
    }
}
