package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.LeaderRequest;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.ServiceQuery;
import dev.meshplane.proto.v1.StatusGrpc;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dev agent end to end over its real gRPC port: register, list, watch, deregister. */
class DevAgentEndToEndTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-e2e");

    @Test
    void registerListWatchAndSeeADeregistrationArriveWithAHigherIndex() throws Exception {
        var agent = AgentGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        long first = agent.registerService(register("api", "api-1", 9001)).getIndex();
        long second = agent.registerService(register("api", "api-2", 9002)).getIndex();
        assertTrue(second > first, "each registration gets a higher index: " + first + " then " + second);

        var catalog = CatalogGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        List<ServiceEntry> entries = catalog.listServiceInstances(ServiceQuery.newBuilder().setService("api").build())
                .getEntriesList();
        assertEquals(List.of("api-1", "api-2"), entries.stream().map(e -> e.getService().getId()).toList());
        assertEquals(List.of(9001, 9002), entries.stream().map(e -> e.getService().getPort()).toList());
        assertEquals("node-e2e", entries.get(0).getNode().getName());

        LinkedBlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        Context.CancellableContext watchContext = Context.current().withCancellation();
        watchContext.run(() -> WatchGrpc.newStub(DEV.channel()).watch(
                WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService("api")).build(),
                collectInto(events)));
        try {
            WatchEvent snapshot = events.poll(10, TimeUnit.SECONDS);
            assertEquals(WatchEvent.Kind.SNAPSHOT, snapshot.getKind());
            assertEquals(2, snapshot.getServiceHealth().getUpsertedCount());
            assertTrue(snapshot.getIndex() >= second, "snapshot reflects both registrations");

            long removedAt = agent.deregisterService(DeregisterServiceRequest.newBuilder().setServiceId("api-2").build())
                    .getIndex();
            WatchEvent delta = events.poll(10, TimeUnit.SECONDS);
            assertEquals(WatchEvent.Kind.DELTA, delta.getKind());
            assertTrue(delta.getIndex() > snapshot.getIndex(), "the change carries a higher index");
            assertEquals(removedAt, delta.getIndex());
            assertEquals(1, delta.getServiceHealth().getRemovedCount());
            assertEquals("api-2", delta.getServiceHealth().getRemoved(0).getServiceId());
            assertEquals("node-e2e", delta.getServiceHealth().getRemoved(0).getNode());
        } finally {
            watchContext.cancel(null);
        }
        assertEquals(List.of("api-1"), catalog.listServiceInstances(ServiceQuery.newBuilder().setService("api").build())
                .getEntriesList().stream().map(e -> e.getService().getId()).toList());
    }

    @Test
    void blockingReadReturnsWhenTheKeyChanges() throws Exception {
        var kv = KVGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        long index = kv.put(KvPutRequest.newBuilder().setKey("e2e/blocking").setValue(ByteString.copyFromUtf8("1")).build())
                .getIndex();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> kv.get(KvGetRequest.newBuilder()
                .setKey("e2e/blocking").setOptions(QueryOptions.newBuilder().setIndex(index)).build())
                .getEntry().getValue().toStringUtf8());
        Thread.sleep(200);
        assertFalse(answer.isDone(), "a blocking read waits while nothing changes");
        kv.put(KvPutRequest.newBuilder().setKey("e2e/blocking").setValue(ByteString.copyFromUtf8("2")).build());
        assertEquals("2", answer.get(10, TimeUnit.SECONDS));
    }

    @Test
    void reportsItselfAsLeaderAndServesGrpcHealth() {
        String leader = StatusGrpc.newBlockingStub(DEV.channel()).leader(LeaderRequest.getDefaultInstance()).getAddress();
        assertEquals("127.0.0.1:" + DEV.agent().serverAddress().getPort(), leader);
        // The agent reports SERVING once it has seen the servers name a leader (checked every 2 s).
        HealthCheckResponse health = HealthCheckResponse.getDefaultInstance();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (health.getStatus() != HealthCheckResponse.ServingStatus.SERVING && System.nanoTime() < deadline) {
            health = HealthGrpc.newBlockingStub(DEV.channel()).check(HealthCheckRequest.newBuilder().setService("").build());
            sleepQuietly(50);
        }
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    static RegisterServiceRequest register(String name, String id, int port) {
        return RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName(name).setId(id).setPort(port)).build();
    }

    static <T> StreamObserver<T> collectInto(LinkedBlockingQueue<T> queue) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
