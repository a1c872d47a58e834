package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvDeleteRequest;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchStreamTest {

    @Test
    void noChangeIsMissedOrReorderedAcrossManyRandomWrites() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            long seed = System.nanoTime();
            Random random = new Random(seed);
            for (int i = 0; i < 50; i++) {
                kv.put(KvPutRequest.newBuilder().setKey("w/" + i).setValue(ByteString.copyFromUtf8("init")).build());
            }
            var it = WatchGrpc.newBlockingStub(s.channel).watch(WatchRequest.newBuilder()
                    .setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("w/")).build());
            WatchEvent snapshot = it.next();
            // A consumer keeps reading while the writes happen, as a real one does.
            LinkedBlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                while (it.hasNext()) {
                    events.add(it.next());
                }
            });
            assertEquals(WatchEvent.Kind.SNAPSHOT, snapshot.getKind());
            Map<String, KvEntry> mirror = new HashMap<>();
            snapshot.getKv().getUpsertedList().forEach(e -> mirror.put(e.getKey(), e));
            assertEquals(50, mirror.size());

            // Writes inside and outside the prefix; remember the index of each write inside it.
            Map<Long, String> expectedIndexes = new TreeMap<>();
            int writes = 10_000;
            for (int i = 0; i < writes; i++) {
                String key = (random.nextInt(10) == 0 ? "other/" : "w/") + random.nextInt(200);
                long index;
                if (random.nextInt(4) == 0) {
                    var r = kv.delete(KvDeleteRequest.newBuilder().setKey(key).build());
                    index = r.getIndex();
                    if (key.startsWith("w/") && mirror.containsKey(key)) {
                        expectedIndexes.put(index, key);
                        mirror.remove(key);
                    }
                } else {
                    index = kv.put(KvPutRequest.newBuilder().setKey(key)
                            .setValue(ByteString.copyFromUtf8("v" + i)).build()).getIndex();
                    if (key.startsWith("w/")) {
                        expectedIndexes.put(index, key);
                        mirror.put(key, null);
                    }
                }
            }
            Map<String, KvEntry> watched = new HashMap<>();
            snapshot.getKv().getUpsertedList().forEach(e -> watched.put(e.getKey(), e));
            long last = snapshot.getIndex();
            for (Map.Entry<Long, String> expected : expectedIndexes.entrySet()) {
                WatchEvent e = events.poll(10, TimeUnit.SECONDS);
                assertNotNull(e, "seed " + seed + ": event for index " + expected.getKey());
                assertEquals(WatchEvent.Kind.DELTA, e.getKind());
                assertEquals((long) expected.getKey(), e.getIndex(), "seed " + seed + ": one event per write, in order");
                assertTrue(e.getIndex() > last);
                last = e.getIndex();
                e.getKv().getUpsertedList().forEach(x -> {
                    assertEquals(expected.getValue(), x.getKey());
                    watched.put(x.getKey(), x);
                });
                e.getKv().getDeletedList().forEach(k -> {
                    assertEquals(expected.getValue(), k);
                    watched.remove(k);
                });
            }
            Map<String, KvEntry> actual = new HashMap<>();
            kv.list(KvListRequest.newBuilder().setPrefix("w/").build()).getEntriesList()
                    .forEach(e -> actual.put(e.getKey(), e));
            assertEquals(actual, watched, "seed " + seed + ": the watcher's view equals the store");
            assertTrue(events.isEmpty(), "no event beyond the writes");
            reader.interrupt();
        }
    }

    @Test
    void aConsumerThatStopsReadingIsCutOffNotBuffered() throws Exception {
        try (InProcessServer s = new InProcessServer(new WatchConfig(8, 2))) {
            ClientCall<WatchRequest, WatchEvent> call = s.channel.newCall(WatchGrpc.getWatchMethod(), CallOptions.DEFAULT);
            LinkedBlockingQueue<WatchEvent> received = new LinkedBlockingQueue<>();
            CompletableFuture<Status> closed = new CompletableFuture<>();
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(WatchEvent message) {
                    received.add(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.complete(status);
                }
            }, new Metadata());
            call.sendMessage(WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("slow/")).build());
            call.halfClose();
            call.request(1);
            assertNotNull(received.poll(5, TimeUnit.SECONDS), "the snapshot arrives");

            var kv = KVGrpc.newBlockingStub(s.channel);
            for (int i = 0; i < 100 && !closed.isDone(); i++) {
                kv.put(KvPutRequest.newBuilder().setKey("slow/" + i).setValue(ByteString.copyFromUtf8("x")).build());
            }
            call.request(1000);
            Status status = closed.get(5, TimeUnit.SECONDS);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
            assertTrue(status.getDescription().contains("subscribe again"), status.getDescription());
            assertTrue(received.size() <= 8, "no more than the queue bound was delivered after the snapshot");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (s.controlPlane.watchTopicCount() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, s.controlPlane.watchTopicCount(), "the cut-off subscriber's topic is gone");
        }
    }
}
