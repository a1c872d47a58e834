package dev.meshplane.controlplane;

import dev.meshplane.api.ErrorMappingInterceptor;
import dev.meshplane.controlplane.cluster.Cluster;
import dev.meshplane.controlplane.cluster.RaftServerConfig;
import dev.meshplane.controlplane.connect.CaAuthority;
import dev.meshplane.controlplane.leader.TombstoneReaper;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.log.LocalLog;
import dev.meshplane.controlplane.membership.MembershipReconciler;
import dev.meshplane.controlplane.rpc.ServerContext;
import dev.meshplane.controlplane.rpc.ServerServices;
import dev.meshplane.controlplane.session.LockDelays;
import dev.meshplane.controlplane.session.SessionTimers;
import dev.meshplane.controlplane.state.ConnectQueries;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.controlplane.watch.WakeRegistry;
import dev.meshplane.controlplane.watch.WatchHub;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The server role assembled: state store, the log that feeds it, watches, leader duties and
 * the gRPC services. The caller serves {@link #services()} on whatever listeners it runs.
 */
public final class ControlPlane implements AutoCloseable {
    private final StateStore store = new StateStore();
    private final StateQueries queries = new StateQueries(store);
    private final Consensus consensus;
    private final Cluster cluster;
    private final WakeRegistry wakes = new WakeRegistry();
    private final WatchHub hub;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "server-timers");
        t.setDaemon(true);
        return t;
    });
    // Re-running woken queries is short work, but there can be thousands at once.
    private final ExecutorService worker = Executors.newVirtualThreadPerTaskExecutor();
    private final LockDelays lockDelays = new LockDelays(System::nanoTime);
    private final SessionTimers sessionTimers;
    private final TombstoneReaper tombstoneReaper;
    private final ConnectQueries connectQueries = new ConnectQueries(store);
    private final CaAuthority ca;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final Readiness readiness;
    private final MembershipReconciler membership;

    /** A server whose log lives only in this process (`agent -dev` and tests). */
    public static ControlPlane inMemory(ServerConfig config) {
        try {
            return new ControlPlane(config, null);
        } catch (IOException e) {
            throw new IllegalStateException("an in-memory server does no I/O", e);
        }
    }

    /** A server that replicates through Raft and keeps its state in {@code raft.dataDir()}. */
    public static ControlPlane replicated(ServerConfig config, RaftServerConfig raft) throws IOException {
        return new ControlPlane(config, raft);
    }

    private ControlPlane(ServerConfig config, RaftServerConfig raft) throws IOException {
        this.hub = new WatchHub(store, queries, config.watch());
        store.addListener(wakes);
        store.addListener(hub);
        store.addListener(lockDelays);
        if (raft == null) {
            this.cluster = null;
            this.consensus = new LocalLog(store, config.advertiseAddress());
        } else {
            this.cluster = new Cluster(raft, store, new SecureRandom());
            this.consensus = cluster.log();
        }
        this.sessionTimers = new SessionTimers(queries, consensus, timer);
        this.tombstoneReaper = new TombstoneReaper(consensus, timer, System::nanoTime,
                config.tombstoneTtl(), TombstoneReaper.DEFAULT_GRANULARITY);
        store.addListener(sessionTimers);
        store.addListener(tombstoneReaper);
        this.ca = new CaAuthority(config.connect(), connectQueries, consensus, java.time.InstantSource.system(),
                System::nanoTime, timer);
        this.membership = new MembershipReconciler(consensus, queries, config.connect().datacenter(), timer);
        if (cluster == null) {
            // The in-memory log has no elections: this server always leads.
            membership.setLeading(true);
            sessionTimers.setLeading(true);
            tombstoneReaper.setLeading(true);
            ca.setLeading(true);
        } else {
            cluster.log().onLeadership(leading -> {
                membership.setLeading(leading);
                sessionTimers.setLeading(leading);
                tombstoneReaper.setLeading(leading);
                ca.setLeading(leading);
            });
        }
        services.addAll(ServerServices.create(new ServerContext(consensus, store, queries, wakes, hub, lockDelays,
                sessionTimers, config.limits(), config.sessionTtlMin(), timer, worker, config.connect(),
                connectQueries, ca), resources));
        if (cluster != null) {
            ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
            cluster.services().forEach(s -> services.add(ServerInterceptors.intercept(s, errors)));
        }
        this.readiness = new Readiness(consensus, timer);
    }

    /**
     * grpc.health.v1 for the server RPC port ("" and {@link Readiness#SERVICE}). Not part of
     * {@link #services()}: an agent's own port serves its own health.
     */
    public io.grpc.BindableService healthService() {
        return readiness.service();
    }

    public List<ServerServiceDefinition> services() {
        return List.copyOf(services);
    }

    public StateQueries queries() {
        return queries;
    }

    public Consensus consensus() {
        return consensus;
    }

    /** The CA's leader duties (tests drive pruning through it). */
    public CaAuthority ca() {
        return ca;
    }

    /** Keeps the catalog in line with the LAN gossip pool (the agent feeds it). */
    public MembershipReconciler membership() {
        return membership;
    }

    public ConnectQueries connectQueries() {
        return connectQueries;
    }

    /** How many blocking queries are parked waiting for a change. */
    public int pendingWakeUps() {
        return wakes.pending();
    }

    /** Session TTL timers running (on the leader). */
    public int sessionTimersArmed() {
        return sessionTimers.armed();
    }

    /** How many distinct watch topics have subscribers. */
    public int watchTopicCount() {
        return hub.topicCount();
    }

    @Override
    public void close() {
        readiness.close();
        membership.close();
        tombstoneReaper.close();
        ca.close();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // Closing a channel does not fail in a way worth more than this.
            }
        }
        if (cluster != null) {
            cluster.close();
        } else {
            consensus.close();
        }
        hub.close();
        timer.shutdownNow();
        worker.shutdownNow();
    }
}
