package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ErrorMapping;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.ListNodesRequest;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.WriteResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * Keeps the catalog's view of this node equal to the agent's local state. One thread runs
 * passes one after another: a change triggers a pass at once (changes that arrive during a
 * pass are picked up by the next one, which is the debounce); a full pass first compares with
 * Catalog.GetNode and repairs drift both ways. Full passes come every scaled ae_interval plus
 * up to as much again of random jitter (so a thousand agents do not sync in step), and after a
 * failure every retryInterval until the servers answer again.
 */
final class AntiEntropy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AntiEntropy.class.getName());

    /** How one pass ended. */
    record Outcome(boolean ok, String error) {}

    private final LocalState state;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final SyncConfig config;
    private final RandomGenerator random;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean changesPending = true;
    private boolean fullPending = true;
    private long nextFullNanos;
    private List<CompletableFuture<Outcome>> waitingForNextPass = new ArrayList<>();
    private boolean stopped;
    private volatile boolean lastPassOk;
    private volatile long fullSyncs;
    private volatile int clusterSize = 1;
    private volatile Runnable beforeRetry = () -> {};
    private Thread thread;

    AntiEntropy(LocalState state, CatalogGrpc.CatalogBlockingStub catalog, SyncConfig config, RandomGenerator random) {
        this.state = state;
        this.catalog = catalog;
        this.config = config;
        this.random = random;
    }

    void start() {
        thread = Thread.ofVirtual().name("anti-entropy").start(this::loop);
    }

    /** Asks for a pass; the future completes when a pass that started after this call ends. */
    CompletableFuture<Outcome> syncChanges() {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (stopped) {
                f.complete(new Outcome(false, "the agent is stopping"));
                return f;
            }
            changesPending = true;
            waitingForNextPass.add(f);
            wake.signal();
        } finally {
            lock.unlock();
        }
        return f;
    }

    /** Asks for a pass without waiting for it. */
    void trigger() {
        lock.lock();
        try {
            changesPending = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Asks for a full comparison with the catalog now. */
    CompletableFuture<Outcome> syncFull() {
        lock.lock();
        try {
            fullPending = true;
        } finally {
            lock.unlock();
        }
        return syncChanges();
    }

    /** Run before retrying after a failure: e.g. cut the channel's reconnect back-off short. */
    void beforeRetry(Runnable r) {
        beforeRetry = r;
    }

    boolean lastPassOk() {
        return lastPassOk;
    }

    long fullSyncs() {
        return fullSyncs;
    }

    private void loop() {
        while (true) {
            boolean full;
            List<CompletableFuture<Outcome>> waiters;
            lock.lock();
            try {
                while (!stopped && !changesPending && !fullPending && System.nanoTime() < nextFullNanos) {
                    wake.awaitNanos(nextFullNanos - System.nanoTime());
                }
                if (stopped) {
                    return;
                }
                full = fullPending || System.nanoTime() >= nextFullNanos;
                changesPending = false;
                fullPending = false;
                waiters = waitingForNextPass;
                waitingForNextPass = new ArrayList<>();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Outcome outcome = pass(full);
            lastPassOk = outcome.ok();
            lock.lock();
            try {
                if (outcome.ok() && full) {
                    Duration base = config.scaledFullSyncInterval(clusterSize);
                    nextFullNanos = System.nanoTime() + base.toNanos() + random.nextLong(Math.max(1, base.toNanos()));
                } else if (!outcome.ok()) {
                    // Retry with a full comparison: what happened while the servers were away is unknown.
                    fullPending = false;
                    nextFullNanos = System.nanoTime() + config.retryInterval().toNanos();
                }
            } finally {
                lock.unlock();
            }
            waiters.forEach(f -> f.complete(outcome));
        }
    }

    private Outcome pass(boolean full) {
        if (!lastPassOk) {
            beforeRetry.run();
        }
        try {
            if (full) {
                GetNodeResponse view = catalog.withDeadlineAfter(config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .getNode(GetNodeRequest.newBuilder().setNode(state.self().getName()).build());
                state.reconcile(view);
                fullSyncs++;
                updateClusterSize();
            }
            SyncPlan plan = state.plan();
            for (SyncPlan.Write w : plan.writes()) {
                WriteResponse r;
                try {
                    r = switch (w) {
                        case SyncPlan.Register reg -> catalog.withDeadlineAfter(config.writeTimeout().toMillis(),
                                TimeUnit.MILLISECONDS).register(reg.request());
                        case SyncPlan.Deregister dereg -> catalog.withDeadlineAfter(config.writeTimeout().toMillis(),
                                TimeUnit.MILLISECONDS).deregister(dereg.request());
                    };
                } catch (StatusRuntimeException e) {
                    if (!refusal(e.getStatus().getCode())) {
                        throw e;
                    }
                    // The servers refuse this record; the others must still get through.
                    LOG.warning("the catalog refuses " + describe(w) + ": " + e.getStatus().getDescription()
                            + "; it stays out of sync");
                    continue;
                }
                state.written(w, r.getIndex());
            }
            if (!plan.isEmpty()) {
                LOG.fine("synced " + plan.writes().size() + " catalog writes" + (full ? " after a full comparison" : ""));
            }
            return new Outcome(true, "");
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            String error = s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
            if (lastPassOk || full) {
                LOG.warning("cannot sync with the catalog (" + error + "); retrying in "
                        + config.retryInterval().toSeconds() + " s, local changes are kept");
            }
            return new Outcome(false, error);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "anti-entropy pass failed", e);
            return new Outcome(false, ErrorMapping.toStatus(e).getDescription());
        }
    }

    private static boolean refusal(Status.Code code) {
        return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.FAILED_PRECONDITION
                || code == Status.Code.PERMISSION_DENIED;
    }

    private static String describe(SyncPlan.Write w) {
        return switch (w) {
            case SyncPlan.Register reg -> "the registration of " + (reg.request().hasService()
                    ? "service " + reg.request().getService().getId() : "node " + reg.request().getNode().getName())
                    + " with " + reg.request().getChecksCount() + " checks";
            case SyncPlan.Deregister dereg -> "the removal of " + (dereg.request().getServiceId().isEmpty()
                    ? "check " + dereg.request().getCheckId() : "service " + dereg.request().getServiceId());
        };
    }

    /** The cluster size scales the full-sync period; until gossip reports members, the catalog's node count. */
    private void updateClusterSize() {
        try {
            clusterSize = Math.max(1, catalog.withDeadlineAfter(config.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .listNodes(ListNodesRequest.newBuilder().setOptions(QueryOptions.newBuilder()
                            .setConsistency(Consistency.CONSISTENCY_STALE)).build()).getNodesCount());
        } catch (StatusRuntimeException e) {
            LOG.fine("cannot count the nodes: " + e.getStatus());
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<Outcome>> waiters;
        lock.lock();
        try {
            stopped = true;
            waiters = waitingForNextPass;
            waitingForNextPass = new ArrayList<>();
            wake.signal();
        } finally {
            lock.unlock();
        }
        waiters.forEach(f -> f.complete(new Outcome(false, "the agent is stopping")));
        if (thread != null) {
            thread.interrupt();
        }
    }
}
