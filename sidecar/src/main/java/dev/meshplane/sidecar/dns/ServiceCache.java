package dev.meshplane.sidecar.dns;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.ServiceQuery;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The instances of the services DNS is asked about, kept current by a Watch stream per
 * service (the same service layer every other client uses), so a query is answered from memory.
 * A service nobody asks about for {@code serviceIdleTimeout} is unwatched. At most
 * {@code maxWatchedServices} are watched; beyond that a query reads ServiceHealth directly
 * (a stale read, as DNS reads are).
 */
final class ServiceCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServiceCache.class.getName());
    /** How long a failed watch answers SERVFAIL before it is tried again, so failures do not spin. */
    static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WatchGrpc.WatchStub watch;
    private final CatalogGrpc.CatalogFutureStub catalog;
    private final int maxWatched;
    private final long idleNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, WatchedService> watched = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    ServiceCache(Channel servers, int maxWatched, long idleNanos, LongSupplier nanoTime) {
        this.watch = WatchGrpc.newStub(servers);
        this.catalog = CatalogGrpc.newFutureStub(servers);
        this.maxWatched = maxWatched;
        this.idleNanos = idleNanos;
        this.nanoTime = nanoTime;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dns-watch-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4);
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** The current view when it is already known (the fast path: no allocation of a future). */
    ServiceView peek(String service) {
        WatchedService w = watched.get(service);
        if (w == null) {
            return null;
        }
        w.touch(nanoTime.getAsLong());
        return w.current();
    }

    /** The view, subscribing first when the service is not watched yet. Fails when the servers cannot answer. */
    CompletableFuture<ServiceView> load(String service) {
        long now = nanoTime.getAsLong();
        WatchedService w = watched.get(service);
        if (w != null && w.failed() && now - w.failedAt() > RETRY_AFTER_FAILURE_NANOS) {
            watched.remove(service, w);
            w = null;
        }
        if (w == null) {
            if (watched.size() >= maxWatched) {
                return readOnce(service);
            }
            WatchedService fresh = new WatchedService(service, this::dropped, nanoTime);
            w = watched.putIfAbsent(service, fresh);
            if (w == null) {
                w = fresh;
                fresh.subscribe(watch, WatchRequest.newBuilder()
                        .setServiceHealth(ServiceHealthTopic.newBuilder().setService(service)).build());
            }
        }
        w.touch(now);
        return w.ready();
    }

    private CompletableFuture<ServiceView> readOnce(String service) {
        CompletableFuture<ServiceView> result = new CompletableFuture<>();
        var call = catalog.serviceHealth(ServiceQuery.newBuilder().setService(service)
                .setOptions(QueryOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_STALE)).build());
        com.google.common.util.concurrent.Futures.addCallback(call, new com.google.common.util.concurrent.FutureCallback<>() {
            @Override
            public void onSuccess(dev.meshplane.proto.v1.ServiceEntriesResponse r) {
                result.complete(new ServiceView(service, r.getEntriesList().stream().map(Instance::of).toList()));
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(t);
            }
        }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
        return result;
    }

    private void dropped(WatchedService w, Throwable cause) {
        LOG.fine(() -> "watch of service " + w.service() + " ended: " + cause);
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        watched.values().removeIf(w -> {
            boolean idle = now - w.lastUsed() > idleNanos;
            if (idle) {
                w.cancel();
            }
            return idle;
        });
    }

    int watchedCount() {
        return watched.size();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        watched.values().forEach(WatchedService::cancel);
        watched.clear();
    }
}
