package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One watch stream to the servers, shared by every local subscriber of the same topic: however many
 * applications on the node watch a service, the servers hold one stream for it from this sidecar.
 * The result is kept materialised ({@link TopicState}) so that a new local subscriber gets a
 * snapshot at once. When the upstream stream ends for a reason that may pass (a server restarting,
 * a leader change, the servers cutting a slow consumer) it is re-opened with jittered back-off,
 * and the servers' next snapshot goes to every listener as a SNAPSHOT that replaces what they hold.
 */
final class SharedTopic {
    private static final Logger LOG = Logger.getLogger(SharedTopic.class.getName());
    /** Refusals that a retry cannot cure: the request itself is wrong. */
    private static final Set<Status.Code> PERMANENT = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.UNIMPLEMENTED,
            Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.OUT_OF_RANGE);
    private static final long FIRST_BACKOFF_MILLIS = 100;

    /** A local consumer of the topic. Called under the topic's lock, in index order: must not block. */
    interface Listener {
        void onEvent(EncodedWatchEvent event, TopicState state);

        /** The servers refused the topic; the listener is dropped. */
        void onFailed(Status status);
    }

    final WatchRequest request;
    private final Channel servers;
    private final ScheduledExecutorService scheduler;
    private final long maxBackoffMillis;
    private final Runnable onEmpty;
    private final boolean serviceHealth;
    private final TopicState state = new TopicState();
    private final List<Listener> listeners = new ArrayList<>();
    private ClientCallStreamObserver<WatchRequest> call;
    private ScheduledFuture<?> retry;
    private long generation;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private EncodedWatchEvent cachedSnapshot;
    private boolean closed;

    SharedTopic(WatchRequest request, Channel servers, ScheduledExecutorService scheduler, Duration maxBackoff,
                Runnable onEmpty) {
        this.request = request;
        this.servers = servers;
        this.scheduler = scheduler;
        this.maxBackoffMillis = maxBackoff.toMillis();
        this.onEmpty = onEmpty;
        this.serviceHealth = request.getTopicCase() == WatchRequest.TopicCase.SERVICE_HEALTH;
    }

    /** Adds a listener; it gets the current snapshot at once when one is known. False once closed. */
    synchronized boolean add(Listener listener) {
        if (closed) {
            return false;
        }
        listeners.add(listener);
        if (state.known()) {
            listener.onEvent(snapshot(), state);
        }
        if (call == null && retry == null) {
            open();
        }
        return true;
    }

    /** Removes a listener; the last one out closes the upstream stream. */
    void remove(Listener listener) {
        boolean empty;
        synchronized (this) {
            listeners.remove(listener);
            empty = listeners.isEmpty() && !closed;
            if (empty) {
                close();
            }
        }
        if (empty) {
            onEmpty.run();
        }
    }

    synchronized List<ServiceEntry> instances() {
        return state.instances();
    }

    synchronized boolean known() {
        return state.known();
    }

    /** Whether an upstream stream is open right now (for tests and metrics). */
    synchronized boolean connected() {
        return call != null;
    }

    synchronized void close() {
        closed = true;
        if (call != null) {
            call.cancel("no local subscriber left", null);
            call = null;
        }
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** One encoded snapshot per index, shared by every subscriber that arrives at that index. */
    private EncodedWatchEvent snapshot() {
        if (cachedSnapshot == null || cachedSnapshot.index() != state.index()) {
            cachedSnapshot = EncodedWatchEvent.of(state.snapshot(serviceHealth));
        }
        return cachedSnapshot;
    }

    private void open() {
        retry = null;
        long gen = ++generation;
        WatchGrpc.newStub(servers).watch(request, new ClientResponseObserver<WatchRequest, WatchEvent>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> upstream) {
                synchronized (SharedTopic.this) {
                    call = upstream;
                }
            }

            @Override
            public void onNext(WatchEvent event) {
                received(gen, event);
            }

            @Override
            public void onError(Throwable t) {
                ended(gen, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended(gen, Status.UNAVAILABLE.withDescription("the servers ended the watch"));
            }
        });
    }

    private synchronized void received(long gen, WatchEvent event) {
        if (gen != generation || closed) {
            return;
        }
        state.apply(event);
        if (event.getKind() == WatchEvent.Kind.SNAPSHOT) {
            backoffMillis = FIRST_BACKOFF_MILLIS;
        }
        EncodedWatchEvent encoded = EncodedWatchEvent.of(event);
        if (encoded.snapshot()) {
            cachedSnapshot = encoded;
        }
        for (Listener l : List.copyOf(listeners)) {
            l.onEvent(encoded, state);
        }
    }

    private void ended(long gen, Status status) {
        List<Listener> failed;
        synchronized (this) {
            if (gen != generation || closed) {
                return;
            }
            call = null;
            if (PERMANENT.contains(status.getCode())) {
                closed = true;
                failed = List.copyOf(listeners);
                listeners.clear();
            } else {
                failed = null;
                long delay = ThreadLocalRandom.current().nextLong(backoffMillis / 2, backoffMillis + 1);
                LOG.log(Level.FINE, "upstream watch " + describe() + " ended (" + status.getCode() + " "
                        + status.getDescription() + "); re-opening in " + delay + " ms");
                backoffMillis = Math.min(maxBackoffMillis, backoffMillis * 2);
                retry = scheduler.schedule(this::reopen, delay, TimeUnit.MILLISECONDS);
            }
        }
        if (failed != null) {
            LOG.fine("upstream watch " + describe() + " refused: " + status);
            for (Listener l : failed) {
                l.onFailed(status);
            }
            onEmpty.run();
        }
    }

    private synchronized void reopen() {
        if (!closed && retry != null) {
            open();
        }
    }

    String describe() {
        return serviceHealth ? "service " + request.getServiceHealth().getService() : "service list";
    }
}
