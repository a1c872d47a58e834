package dev.meshplane.controlplane.connect;

import dev.meshplane.api.ApiException;
import dev.meshplane.ca.CaException;
import dev.meshplane.ca.CaRoots;
import dev.meshplane.ca.CsrRateLimiter;
import dev.meshplane.ca.IssuedLeaf;
import dev.meshplane.ca.LeafSigner;
import dev.meshplane.ca.RootRotation;
import dev.meshplane.ca.SigningCa;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.controlplane.state.ConnectQueries;
import dev.meshplane.proto.internal.v1.CaSetState;
import dev.meshplane.proto.internal.v1.CaState;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.RotateResponse;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The leader's CA duties: create the cluster's root on first leadership, sign CSRs (rate
 * limited), rotate to a generated or provided root, and drop rotated-out roots once twice the
 * leaf TTL has passed. Every change goes through the log as a whole new {@link CaState},
 * conditional on the active root the leader saw, so a stale leader cannot overwrite a newer CA.
 */
public final class CaAuthority implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CaAuthority.class.getName());

    /** The signer of one active root, rebuilt when the active root changes. */
    private record Signer(String rootId, LeafSigner signer) {}

    private final ConnectConfig config;
    private final ConnectQueries queries;
    private final Consensus consensus;
    private final InstantSource clock;
    private final CsrRateLimiter limiter;
    private final AtomicLong leaderTerm = new AtomicLong();
    private final ScheduledFuture<?> pruning;
    private volatile boolean leading;
    private volatile Signer signer;

    public CaAuthority(ConnectConfig config, ConnectQueries queries, Consensus consensus, InstantSource clock,
                       LongSupplier nanoClock, ScheduledExecutorService timer) {
        this.config = config;
        this.queries = queries;
        this.consensus = consensus;
        this.clock = clock;
        this.limiter = new CsrRateLimiter(config.csrRate(), nanoClock);
        long every = config.pruneInterval().toMillis();
        this.pruning = timer.scheduleWithFixedDelay(() -> {
            if (leading) {
                prune(clock.instant()).whenComplete((r, e) -> {
                    if (e != null) {
                        LOG.warning("CA: could not prune rotated-out roots: " + e.getMessage());
                    }
                });
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Leadership gained or lost. A new leader makes sure the cluster has a CA. */
    public void setLeading(boolean leading) {
        this.leading = leading;
        long term = leaderTerm.incrementAndGet();
        if (leading) {
            Thread.ofVirtual().name("ca-initialize").start(() -> initializeWhileLeading(term));
        }
    }

    public boolean leading() {
        return leading;
    }

    private void initializeWhileLeading(long term) {
        long backoffMillis = 100;
        while (leading && leaderTerm.get() == term) {
            try {
                // A consistent read barrier first: once it passes, this server has applied everything
                // committed before it led, so an existing CA is seen and not created again.
                consensus.readBarrier(Consistency.CONSISTENCY_CONSISTENT).get(30, TimeUnit.SECONDS);
                ensureRoot().get(30, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                LOG.warning("CA: could not create the cluster's root yet (" + e.getMessage() + "); retrying in "
                        + backoffMillis + " ms");
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            backoffMillis = Math.min(5_000, backoffMillis * 2);
        }
    }

    /** Creates the cluster ID, trust domain and root if the state has none; completes when applied. */
    CompletableFuture<Void> ensureRoot() {
        if (queries.caState().value().isPresent()) {
            return CompletableFuture.completedFuture(null);
        }
        String clusterId = UUID.randomUUID().toString();
        SigningCa root = SigningCa.generateRoot(TrustDomain.forCluster(clusterId), clock.instant(), config.ca());
        CaState state = CaProtos.state(clusterId, CaRoots.initial(root), root.privateKeyPem());
        return write("", state).thenAccept(index ->
                LOG.info("CA: created root " + root.id() + " for trust domain " + state.getTrustDomain()));
    }

    /**
     * Signs {@code csrPem} if the rate limit allows and the SPIFFE ID names a service
     * registered on {@code node}. Refusals are gRPC status exceptions with a clear description.
     */
    public SignedLeaf sign(String csrPem, Duration ttl, String node) {
        if (limiter.tryAcquire() instanceof CsrRateLimiter.Denied denied) {
            throw RetryHint.exhausted("CSR rate limit of " + config.csrRate().perSecond()
                    + " signings/s reached on the leader", denied.retryAfter());
        }
        Signer current = currentSigner();
        try {
            IssuedLeaf leaf = current.signer().sign(csrPem, ttl == null ? config.ca().leafTtl() : ttl,
                    id -> queries.serviceOnNode(node, id.service()));
            return new SignedLeaf(leaf, current.rootId());
        } catch (CaException e) {
            throw toApi(e, node);
        }
    }

    /** A signed leaf and the root that signed it. */
    public record SignedLeaf(IssuedLeaf leaf, String rootId) {}

    private Signer currentSigner() {
        CaState state = queries.caState().value().orElseThrow(() -> ApiException.unavailable(
                "the cluster's CA is not initialized yet (a new leader creates it); retry"));
        Signer s = signer;
        if (s != null && s.rootId().equals(state.getActiveRootId())) {
            return s;
        }
        try {
            SigningCa ca = SigningCa.forActiveRoot(CaProtos.roots(state), state.getActivePrivateKeyPem(), clock.instant());
            s = new Signer(state.getActiveRootId(), new LeafSigner(ca, config.datacenter(), config.ca(), clock));
        } catch (CaException e) {
            throw toApi(e, "");
        }
        signer = s;
        return s;
    }

    /** Rotates to {@code provided}, or to a newly generated root when empty. */
    public CompletableFuture<RotateResponse> rotate(Optional<SigningCa> provided) {
        CaState state = queries.caState().value().orElseThrow(() -> ApiException.unavailable(
                "the cluster's CA is not initialized yet; retry"));
        Instant now = clock.instant();
        RootRotation.Result result;
        try {
            CaRoots roots = CaProtos.roots(state);
            SigningCa current = SigningCa.forActiveRoot(roots, state.getActivePrivateKeyPem(), now);
            SigningCa incoming = provided.orElseGet(() -> SigningCa.generateRoot(roots.trustDomain(), now, config.ca()));
            result = RootRotation.rotate(roots, current, incoming, now, config.ca());
        } catch (CaException e) {
            throw toApi(e, "");
        }
        CaRoots next = result.roots().pruned(now, config.ca().leafTtl());
        CaState nextState = CaProtos.state(state.getClusterId(), next, result.signer().privateKeyPem());
        return write(state.getActiveRootId(), nextState).thenApply(index -> {
            LOG.info("CA: rotated from root " + state.getActiveRootId() + " to " + next.activeRootId());
            return RotateResponse.newBuilder().setActiveRootId(next.activeRootId())
                    .setPreviousRootId(state.getActiveRootId()).setIndex(index).build();
        });
    }

    /** Loads an operator's root for this cluster's trust domain, checked by the CA library. */
    public SigningCa loadProvided(String certPem, String keyPem) {
        CaState state = queries.caState().value().orElseThrow(() -> ApiException.unavailable(
                "the cluster's CA is not initialized yet; retry"));
        try {
            return SigningCa.load(new TrustDomain(state.getTrustDomain()), certPem, keyPem, clock.instant());
        } catch (CaException e) {
            throw toApi(e, "");
        }
    }

    /** Drops rotated-out roots that are no longer needed at {@code now}; completes at once when none is. */
    public CompletableFuture<Boolean> prune(Instant now) {
        Optional<CaState> state = queries.caState().value();
        if (state.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        CaRoots roots = CaProtos.roots(state.get());
        CaRoots pruned = roots.pruned(now, config.ca().leafTtl());
        if (pruned == roots) {
            return CompletableFuture.completedFuture(false);
        }
        CaState next = CaProtos.state(state.get().getClusterId(), pruned, state.get().getActivePrivateKeyPem());
        return write(roots.activeRootId(), next).thenApply(index -> {
            LOG.info("CA: dropped " + (roots.roots().size() - pruned.roots().size()) + " rotated-out root(s)");
            return true;
        });
    }

    private CompletableFuture<Long> write(String expectedActive, CaState state) {
        Command command = Command.newBuilder().setCaSetState(CaSetState.newBuilder()
                .setExpectedActiveRootId(expectedActive).setState(state)).build();
        return consensus.propose(command).thenApply(applied -> {
            if (applied.result() instanceof ApplyResult.Rejected rejected) {
                throw rejected.reason();
            }
            return applied.index();
        });
    }

    static ApiException toApi(CaException e, String node) {
        return switch (e.kind()) {
            case INVALID_ARGUMENT -> ApiException.of(Status.Code.INVALID_ARGUMENT, e.getMessage());
            case PERMISSION_DENIED -> ApiException.of(Status.Code.PERMISSION_DENIED, e.getMessage()
                    + (node.isEmpty() ? "" : ": no service of that name is registered on node \"" + node + "\""));
            case FAILED_PRECONDITION -> ApiException.failedPrecondition(e.getMessage());
        };
    }

    @Override
    public void close() {
        leading = false;
        pruning.cancel(false);
    }
}
