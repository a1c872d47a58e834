package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.api.Durations;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvListResponse;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntriesResponse;
import dev.meshplane.proto.v1.ServiceQuery;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BlockingQueryTest {

    @Test
    void aBlockedPrefixReadWakesOnAChangeUnderThePrefixOnly() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            long index = kv.put(KvPutRequest.newBuilder().setKey("cfg/a").setValue(ByteString.copyFromUtf8("1")).build())
                    .getIndex();
            CompletableFuture<KvListResponse> blocked = CompletableFuture.supplyAsync(() -> kv.list(
                    KvListRequest.newBuilder().setPrefix("cfg/").setOptions(QueryOptions.newBuilder().setIndex(index))
                            .build()));
            Thread.sleep(100);
            kv.put(KvPutRequest.newBuilder().setKey("elsewhere").setValue(ByteString.copyFromUtf8("x")).build());
            Thread.sleep(100);
            assertFalse(blocked.isDone(), "a write outside the prefix does not answer the query");
            long changed = kv.put(KvPutRequest.newBuilder().setKey("cfg/b").setValue(ByteString.copyFromUtf8("2")).build())
                    .getIndex();
            KvListResponse r = blocked.get(5, TimeUnit.SECONDS);
            assertEquals(changed, r.getMeta().getIndex());
            assertEquals(2, r.getEntriesCount());
            assertTrue(r.getMeta().getKnownLeader());
        }
    }

    @Test
    void aBlockedReadAnswersWithTheSameIndexWhenTheWaitRunsOut() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var catalog = CatalogGrpc.newBlockingStub(s.channel);
            long index = catalog.register(CatalogRegisterRequest.newBuilder()
                    .setNode(Node.newBuilder().setName("n1").setAddress("10.0.0.1"))
                    .setService(Service.newBuilder().setName("web").setPort(80)).build()).getIndex();
            long started = System.nanoTime();
            ServiceEntriesResponse r = catalog.serviceHealth(ServiceQuery.newBuilder().setService("web")
                    .setOptions(QueryOptions.newBuilder().setIndex(index)
                            .setWait(Durations.toProto(Duration.ofMillis(300)))).build());
            long waited = System.nanoTime() - started;
            assertEquals(index, r.getMeta().getIndex(), "no change: the same index comes back");
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(300), "it blocked for the wait, not less");
            assertEquals(1, r.getEntriesCount());
        }
    }

    @Test
    void anUnknownServiceBlocksFromIndexOneUntilItAppears() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var catalog = CatalogGrpc.newBlockingStub(s.channel);
            ServiceEntriesResponse empty = catalog.serviceHealth(ServiceQuery.newBuilder().setService("later").build());
            assertEquals(1, empty.getMeta().getIndex(), "an index is never 0, so blocking on it waits");
            CompletableFuture<ServiceEntriesResponse> blocked = CompletableFuture.supplyAsync(() -> catalog.serviceHealth(
                    ServiceQuery.newBuilder().setService("later")
                            .setOptions(QueryOptions.newBuilder().setIndex(empty.getMeta().getIndex())).build()));
            Thread.sleep(100);
            assertFalse(blocked.isDone());
            catalog.register(CatalogRegisterRequest.newBuilder()
                    .setNode(Node.newBuilder().setName("n1").setAddress("10.0.0.1"))
                    .setService(Service.newBuilder().setName("later").setPort(80)).build());
            assertEquals(1, blocked.get(5, TimeUnit.SECONDS).getEntriesCount());
        }
    }

    @Test
    void aNegativeWaitIsRefused() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(s.channel).list(
                    KvListRequest.newBuilder().setOptions(QueryOptions.newBuilder().setIndex(5)
                            .setWait(com.google.protobuf.Duration.newBuilder().setSeconds(-1))).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("options.wait:"));
        }
    }

    @Test
    void cancelledBlockingQueriesLeaveNoWakeUpsBehind() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            long index = kv.put(KvPutRequest.newBuilder().setKey("c/a").setValue(ByteString.copyFromUtf8("1")).build())
                    .getIndex();
            for (int i = 0; i < 20; i++) {
                assertThrows(StatusRuntimeException.class, () -> kv.withDeadlineAfter(50, TimeUnit.MILLISECONDS).list(
                        KvListRequest.newBuilder().setPrefix("c/").setOptions(QueryOptions.newBuilder().setIndex(index))
                                .build()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.controlPlane.pendingWakeUps() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, s.controlPlane.pendingWakeUps());
        }
    }
}
