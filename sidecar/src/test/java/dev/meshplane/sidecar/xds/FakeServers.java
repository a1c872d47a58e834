package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthEvent;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The servers' Watch service in memory (the seam the sidecar's upstream watches use): tests decide
 * what each topic's stream carries and count how many streams the sidecar opened.
 */
final class FakeServers implements AutoCloseable {
    final Map<String, List<StreamObserver<WatchEvent>>> streams = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();
    /** Each topic's snapshot at subscription. */
    final Map<String, List<ServiceEntry>> initial = new ConcurrentHashMap<>();
    private final Server server;
    final ManagedChannel channel;
    /** Intentions.List as a blocking query; answers nothing until {@link FakeIntentions#set} is called. */
    final FakeIntentions intentions = new FakeIntentions();
    /** ConnectCA.Roots as a blocking query with a fixed trust domain. */
    final FakeRoots roots = new FakeRoots("7f3c1d2e-0000-4000-8000-00000000abcd.consul");
    private long index = 10;

    FakeServers() throws IOException {
        String name = "fake-servers-" + System.nanoTime();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(intentions).addService(roots)
                .addService(new WatchGrpc.WatchImplBase() {
            @Override
            public void watch(WatchRequest request, StreamObserver<WatchEvent> observer) {
                String topic = request.getServiceHealth().getService();
                opened.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
                List<StreamObserver<WatchEvent>> list = streams.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>());
                list.add(observer);
                ((ServerCallStreamObserver<WatchEvent>) observer).setOnCancelHandler(() -> list.remove(observer));
                observer.onNext(WatchEvent.newBuilder().setIndex(nextIndex()).setKind(WatchEvent.Kind.SNAPSHOT)
                        .setServiceHealth(ServiceHealthEvent.newBuilder()
                                .addAllUpserted(initial.getOrDefault(topic, List.of()))).build());
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    private synchronized long nextIndex() {
        return ++index;
    }

    /** Sends a delta upserting these instances to every open stream of the service. */
    void upsert(String service, ServiceEntry... entries) {
        WatchEvent e = WatchEvent.newBuilder().setIndex(nextIndex()).setKind(WatchEvent.Kind.DELTA)
                .setServiceHealth(ServiceHealthEvent.newBuilder().addAllUpserted(List.of(entries))).build();
        streams.getOrDefault(service, List.of()).forEach(o -> o.onNext(e));
    }

    void remove(String service, String node, String id) {
        WatchEvent e = WatchEvent.newBuilder().setIndex(nextIndex()).setKind(WatchEvent.Kind.DELTA)
                .setServiceHealth(ServiceHealthEvent.newBuilder()
                        .addRemoved(InstanceRef.newBuilder().setNode(node).setServiceId(id))).build();
        streams.getOrDefault(service, List.of()).forEach(o -> o.onNext(e));
    }

    /** Ends every stream of the service as a restarting server would. */
    void fail(String service) {
        List<StreamObserver<WatchEvent>> list = streams.remove(service);
        if (list != null) {
            list.forEach(o -> o.onError(Status.UNAVAILABLE.withDescription("server restarting").asRuntimeException()));
        }
    }

    int opened(String service) {
        AtomicInteger n = opened.get(service);
        return n == null ? 0 : n.get();
    }

    int open(String service) {
        return streams.getOrDefault(service, List.of()).size();
    }

    static ServiceEntry instance(String service, String id, String address, int port, HealthStatus status) {
        return instance(service, id, address, port, status, Map.of());
    }

    static ServiceEntry instance(String service, String id, String address, int port, HealthStatus status,
                                 Map<String, String> meta) {
        return ServiceEntry.newBuilder()
                .setNode(Node.newBuilder().setName("node-1").setAddress("10.0.0.1").setDatacenter("dc1"))
                .setService(Service.newBuilder().setName(service).setId(id).setAddress(address).setPort(port)
                        .putAllMeta(meta))
                .addChecks(Check.newBuilder().setCheckId("c-" + id).setStatus(status))
                .setAggregatedStatus(status)
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
