package dev.meshplane.sidecar.connect;

import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.Renewal;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * Keeps one local service's leaf certificate current: a fresh key pair made here for every
 * request (only the CSR travels), renewal at a random point between 60% and 90% of the
 * lifetime, at once when the active root changes, and retries with back-off (honouring the
 * servers' retry hint when rate limited) while the current leaf stays in use.
 */
final class LeafManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeafManager.class.getName());
    private static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    /** A signing call that takes longer than this is abandoned and retried. */
    private static final long SIGN_DEADLINE_SECONDS = 30;

    private final String service;
    private final String node;
    private final String datacenter;
    private final ConnectCAGrpc.ConnectCABlockingStub ca;
    private final Supplier<TrustBundle> bundle;
    private final ConnectAgentConfig config;
    private final ScheduledExecutorService timer;
    private final RandomGenerator random;
    private final Consumer<LeafMaterial> onIssued;
    /** The current leaf and when it will be renewed, published together. */
    record Issued(LeafMaterial leaf, Instant renewAt) {}

    private volatile Issued issued;
    private ScheduledFuture<?> next;
    private boolean requesting;
    private boolean again;
    private boolean closed;
    private long backoffMillis = 100;

    LeafManager(String service, String node, String datacenter, ConnectCAGrpc.ConnectCABlockingStub ca,
                Supplier<TrustBundle> bundle, ConnectAgentConfig config, ScheduledExecutorService timer,
                RandomGenerator random, Consumer<LeafMaterial> onIssued) {
        this.service = service;
        this.node = node;
        this.datacenter = datacenter;
        this.ca = ca;
        this.bundle = bundle;
        this.config = config;
        this.timer = timer;
        this.random = random;
        this.onIssued = onIssued;
    }

    LeafMaterial current() {
        Issued i = issued;
        return i == null ? null : i.leaf();
    }

    /** The current leaf with its renewal time; null before the first one. */
    Issued issued() {
        return issued;
    }

    /** Asks for a leaf now (again after one in flight finishes, if one is). */
    synchronized void renewNow() {
        if (closed) {
            return;
        }
        if (requesting) {
            again = true;
            return;
        }
        schedule(0);
    }

    /** The roots changed: a leaf of an earlier active root is replaced at once. */
    void rootsChanged(TrustBundle roots) {
        LeafMaterial leaf = current();
        if (leaf == null || !leaf.issued().getRootId().equals(roots.activeRootId())) {
            renewNow();
        }
    }

    private synchronized void schedule(long delayMillis) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = timer.schedule(() -> Thread.ofVirtual().name("leaf " + service).start(this::request), delayMillis,
                TimeUnit.MILLISECONDS);
    }

    private void request() {
        synchronized (this) {
            if (closed || requesting) {
                return;
            }
            requesting = true;
            again = false;
        }
        long delay;
        try {
            delay = requestOnce();
        } finally {
            synchronized (this) {
                requesting = false;
            }
        }
        synchronized (this) {
            schedule(again ? 0 : delay);
        }
    }

    /** One attempt; returns when to try next (the renewal point on success). */
    private long requestOnce() {
        TrustBundle roots = bundle.get();
        if (roots == null || roots.activeRootId().isEmpty()) {
            // No roots yet: the roots watch calls rootsChanged as soon as there are.
            return nextBackoff();
        }
        KeyPair keys = EcKeys.generateP256();
        String csr = LeafCsr.create(keys, SpiffeId.of(roots.trustDomain(), datacenter, service));
        SignRequest.Builder req = SignRequest.newBuilder().setCsr(csr).setNode(node);
        config.leafTtl().ifPresent(ttl -> req.setTtl(com.google.protobuf.Duration.newBuilder()
                .setSeconds(ttl.getSeconds()).setNanos(ttl.getNano())));
        try {
            SignResponse issued = ca.withDeadlineAfter(SIGN_DEADLINE_SECONDS, TimeUnit.SECONDS).sign(req.build());
            LeafMaterial leaf = LeafMaterial.of(issued, keys.getPrivate());
            Instant at = Renewal.renewAt(leaf.validAfter(), leaf.validBefore(), random);
            this.issued = new Issued(leaf, at);
            synchronized (this) {
                backoffMillis = 100;
            }
            LOG.info("leaf for service " + service + " issued (serial " + issued.getSerialNumber() + ", root "
                    + shortId(issued.getRootId()) + ", valid until " + leaf.validBefore() + "); renewing at " + at);
            onIssued.accept(leaf);
            return Math.max(0, (long) (Duration.between(Instant.now(), at).toMillis() / config.renewalSpeedup()));
        } catch (StatusRuntimeException e) {
            String hint = e.getTrailers() == null ? null : e.getTrailers().get(RETRY_AFTER_MS);
            if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED && hint != null) {
                return Long.parseLong(hint) + random.nextLong(50);
            }
            long wait = nextBackoff();
            LOG.warning("leaf for service " + service + ": " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription() + "; retrying in " + wait + " ms");
            return wait;
        } catch (RuntimeException e) {
            long wait = nextBackoff();
            LOG.warning("leaf for service " + service + ": " + e + "; retrying in " + wait + " ms");
            return wait;
        }
    }

    private synchronized long nextBackoff() {
        long wait = backoffMillis + random.nextLong(backoffMillis / 2 + 1);
        backoffMillis = Math.min(config.maxRetryBackoff().toMillis(), backoffMillis * 2);
        return wait;
    }

    private static String shortId(String id) {
        return id.length() > 23 ? id.substring(0, 23) + "..." : id;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (next != null) {
            next.cancel(false);
        }
    }
}
