package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvListResponse;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.SnapshotChunk;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.SnapshotRestoreResponse;
import dev.meshplane.proto.v1.SnapshotSaveRequest;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SnapshotRestoreTest {

    private static byte[] save(InProcessServer s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotGrpc.newBlockingStub(s.channel).save(SnapshotSaveRequest.getDefaultInstance())
                .forEachRemaining(c -> out.writeBytes(c.getData().toByteArray()));
        return out.toByteArray();
    }

    private static CompletableFuture<SnapshotRestoreResponse> restore(InProcessServer s, byte[] bytes) {
        CompletableFuture<SnapshotRestoreResponse> answer = new CompletableFuture<>();
        StreamObserver<SnapshotChunk> up = SnapshotGrpc.newStub(s.channel).restore(new StreamObserver<>() {
            @Override
            public void onNext(SnapshotRestoreResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        for (int i = 0; i < bytes.length; i += 1000) {
            up.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(bytes, i, Math.min(1000, bytes.length - i)))
                    .build());
        }
        up.onCompleted();
        return answer;
    }

    private static void put(KVGrpc.KVBlockingStub kv, String key, String value) {
        kv.put(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build());
    }

    @Test
    void restoreReplacesTheStateAndTellsWatchersAndBlockedReadersToResync() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            put(kv, "app/a", "saved");
            byte[] snapshot = save(s);
            put(kv, "app/a", "changed later");
            put(kv, "app/b", "added later");
            long latest = kv.list(KvListRequest.newBuilder().setPrefix("app/").build()).getMeta().getIndex();

            LinkedBlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            var watch = WatchGrpc.newBlockingStub(s.channel).watch(WatchRequest.newBuilder()
                    .setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("app/")).build());
            Thread.ofVirtual().start(() -> watch.forEachRemaining(events::add));
            assertEquals(2, events.poll(5, TimeUnit.SECONDS).getKv().getUpsertedCount());
            CompletableFuture<KvListResponse> blocked = CompletableFuture.supplyAsync(() -> kv.list(KvListRequest
                    .newBuilder().setPrefix("app/").setOptions(QueryOptions.newBuilder().setIndex(latest)).build()));
            Thread.sleep(100);
            assertFalse(blocked.isDone());

            SnapshotRestoreResponse r = restore(s, snapshot).get(10, TimeUnit.SECONDS);
            assertTrue(r.getIndex() > latest, "the restore is a new point in the log");

            assertEquals("saved", kv.get(KvGetRequest.newBuilder().setKey("app/a").build()).getEntry().getValue()
                    .toStringUtf8());
            assertFalse(kv.get(KvGetRequest.newBuilder().setKey("app/b").build()).getFound());
            KvListResponse answered = blocked.get(5, TimeUnit.SECONDS);
            assertTrue(answered.getMeta().getIndex() < latest, "the blocked reader sees the index go backwards");
            WatchEvent resync = events.poll(5, TimeUnit.SECONDS);
            assertNotNull(resync);
            assertEquals(WatchEvent.Kind.SNAPSHOT, resync.getKind(), "watchers get a fresh snapshot");
            assertEquals(1, resync.getKv().getUpsertedCount());
            assertEquals("saved", resync.getKv().getUpserted(0).getValue().toStringUtf8());
        }
    }

    @Test
    void aCorruptedSnapshotIsRefusedAndNothingChanges() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            put(kv, "keep", "me");
            byte[] snapshot = save(s);
            put(kv, "keep", "current");
            snapshot[snapshot.length / 2] ^= 0x10;
            var failure = restore(s, snapshot).handle((r, e) -> e).get(10, TimeUnit.SECONDS);
            StatusRuntimeException sre = (StatusRuntimeException) failure;
            assertEquals(Status.Code.INVALID_ARGUMENT, sre.getStatus().getCode());
            assertTrue(sre.getStatus().getDescription().startsWith("snapshot: corrupt snapshot"),
                    sre.getStatus().getDescription());
            assertEquals("current", kv.get(KvGetRequest.newBuilder().setKey("keep").build()).getEntry().getValue()
                    .toStringUtf8());

            var foreign = restore(s, "PK\u0003\u0004 a zip file".getBytes()).handle((r, e) -> e).get(10, TimeUnit.SECONDS);
            assertEquals("snapshot: not a Meshplane snapshot (the file does not start with MPSNAP)",
                    ((StatusRuntimeException) foreign).getStatus().getDescription());
        }
    }
}
