package dev.meshplane.sidecar.dns;

import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * One service's watch stream, materialised: a SNAPSHOT replaces the instances, a DELTA upserts
 * and removes some. Events of one stream arrive one at a time, so the map needs no lock; each
 * event publishes a new immutable {@link ServiceView}.
 */
final class WatchedService implements ClientResponseObserver<WatchRequest, WatchEvent> {
    private record Key(String node, String serviceId) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = node.compareTo(o.node);
            return c != 0 ? c : serviceId.compareTo(o.serviceId);
        }
    }

    private final String service;
    private final BiConsumer<WatchedService, Throwable> onEnd;
    private final java.util.function.LongSupplier nanoTime;
    private final TreeMap<Key, ServiceEntry> entries = new TreeMap<>();
    private final CompletableFuture<ServiceView> ready = new CompletableFuture<>();
    private volatile ServiceView current;
    private volatile long lastUsed;
    private volatile long failedAt;
    private volatile boolean failed;
    private volatile ClientCallStreamObserver<WatchRequest> call;
    private volatile boolean cancelled;

    WatchedService(String service, BiConsumer<WatchedService, Throwable> onEnd, java.util.function.LongSupplier nanoTime) {
        this.service = service;
        this.onEnd = onEnd;
        this.nanoTime = nanoTime;
    }

    void subscribe(WatchGrpc.WatchStub stub, WatchRequest request) {
        stub.watch(request, this);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        this.call = requestStream;
        if (cancelled) {
            requestStream.cancel("DNS no longer needs service " + service, null);
        }
    }

    @Override
    public void onNext(WatchEvent event) {
        if (!event.hasServiceHealth()) {
            return;
        }
        var health = event.getServiceHealth();
        if (event.getKind() == WatchEvent.Kind.SNAPSHOT) {
            entries.clear();
        }
        for (ServiceEntry e : health.getUpsertedList()) {
            entries.put(new Key(e.getNode().getName(), e.getService().getId()), e);
        }
        for (InstanceRef r : health.getRemovedList()) {
            entries.remove(new Key(r.getNode(), r.getServiceId()));
        }
        List<Instance> instances = new ArrayList<>(entries.size());
        entries.values().forEach(e -> instances.add(Instance.of(e)));
        ServiceView view = new ServiceView(service, instances);
        current = view;
        ready.complete(view);
    }

    @Override
    public void onError(Throwable t) {
        end(t);
    }

    @Override
    public void onCompleted() {
        end(new IllegalStateException("watch stream of " + service + " completed"));
    }

    private void end(Throwable t) {
        // Stop answering from a view nobody updates any more; the cache re-subscribes after a pause.
        current = null;
        failedAt = nanoTime.getAsLong();
        failed = true;
        ready.completeExceptionally(t);
        if (!cancelled) {
            onEnd.accept(this, t);
        }
    }

    void cancel() {
        cancelled = true;
        ClientCallStreamObserver<WatchRequest> c = call;
        if (c != null) {
            c.cancel("DNS no longer needs service " + service, null);
        }
    }

    String service() {
        return service;
    }

    ServiceView current() {
        return current;
    }

    CompletableFuture<ServiceView> ready() {
        ServiceView v = current;
        return v != null ? CompletableFuture.completedFuture(v) : ready;
    }

    void touch(long now) {
        lastUsed = now;
    }

    long lastUsed() {
        return lastUsed;
    }

    long failedAt() {
        return failedAt;
    }

    boolean failed() {
        return failed;
    }
}
