package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchManyEvent;
import dev.meshplane.proto.v1.WatchManyRequest;
import dev.meshplane.proto.v1.WatchOpen;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchManyTest {
    private static WatchManyRequest open(long id, String prefix) {
        return WatchManyRequest.newBuilder().setOpen(WatchOpen.newBuilder().setWatchId(id).setRequest(
                WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix(prefix)))).build();
    }

    private static WatchManyEvent next(LinkedBlockingQueue<WatchManyEvent> events) throws InterruptedException {
        WatchManyEvent e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "an event arrived within 10 s");
        return e;
    }

    @Test
    void watchesShareOneStreamAndOneMessagePerChangeNamesEveryWatchOfTheTopic() throws Exception {
        try (InProcessServer s = new InProcessServer(WatchConfig.DEFAULTS)) {
            var kv = KVGrpc.newBlockingStub(s.channel);
            kv.put(KvPutRequest.newBuilder().setKey("a/0").setValue(ByteString.copyFromUtf8("init")).build());
            LinkedBlockingQueue<WatchManyEvent> events = new LinkedBlockingQueue<>();
            CountDownLatch ended = new CountDownLatch(1);
            StreamObserver<WatchManyRequest> requests = WatchGrpc.newStub(s.channel).watchMany(new StreamObserver<>() {
                @Override
                public void onNext(WatchManyEvent e) {
                    events.add(e);
                }

                @Override
                public void onError(Throwable t) {
                    ended.countDown();
                }

                @Override
                public void onCompleted() {
                    ended.countDown();
                }
            });

            // Each new watch gets its own snapshot.
            requests.onNext(open(1, "a/"));
            requests.onNext(open(2, "a/"));
            requests.onNext(open(3, "b/"));
            for (long id = 1; id <= 3; id++) {
                WatchManyEvent snap = next(events);
                assertEquals(List.of(id), snap.getWatchIdsList());
                assertEquals(WatchEvent.Kind.SNAPSHOT, snap.getEvent().getKind());
                assertEquals(id == 3 ? 0 : 1, snap.getEvent().getKv().getUpsertedCount());
            }

            // One change, one message for both watches of its topic; the other topic hears nothing.
            long index = kv.put(KvPutRequest.newBuilder().setKey("a/x").setValue(ByteString.copyFromUtf8("1")).build())
                    .getIndex();
            WatchManyEvent delta = next(events);
            assertEquals(List.of(1L, 2L), delta.getWatchIdsList());
            assertEquals(WatchEvent.Kind.DELTA, delta.getEvent().getKind());
            assertEquals(index, delta.getEvent().getIndex());
            assertEquals("a/x", delta.getEvent().getKv().getUpserted(0).getKey());
            kv.put(KvPutRequest.newBuilder().setKey("b/y").setValue(ByteString.copyFromUtf8("1")).build());
            assertEquals(List.of(3L), next(events).getWatchIdsList());

            // Bad opens are answered canceled with the reason; the stream and its watches go on.
            requests.onNext(open(2, "a/"));
            WatchManyEvent duplicate = next(events);
            assertTrue(duplicate.getCanceled());
            assertEquals("watch_id: 2 is already open on this stream", duplicate.getCancelReason());
            requests.onNext(open(0, "a/"));
            assertEquals("watch_id: must not be 0", next(events).getCancelReason());
            requests.onNext(WatchManyRequest.newBuilder().setOpen(WatchOpen.newBuilder().setWatchId(9)).build());
            WatchManyEvent noTopic = next(events);
            assertEquals(List.of(9L), noTopic.getWatchIdsList());
            assertTrue(noTopic.getCancelReason().startsWith("topic"), noTopic.getCancelReason());

            // A canceled watch is confirmed and hears no more; its group-mate still does.
            requests.onNext(WatchManyRequest.newBuilder().setCancel(1).build());
            WatchManyEvent canceled = next(events);
            assertTrue(canceled.getCanceled());
            assertEquals(List.of(1L), canceled.getWatchIdsList());
            kv.put(KvPutRequest.newBuilder().setKey("a/z").setValue(ByteString.copyFromUtf8("1")).build());
            assertEquals(List.of(2L), next(events).getWatchIdsList());

            // The last watch of a topic leaves it: later changes there send nothing (the b/ change
            // that follows is the next message).
            requests.onNext(WatchManyRequest.newBuilder().setCancel(2).build());
            assertEquals(List.of(2L), next(events).getWatchIdsList());
            kv.put(KvPutRequest.newBuilder().setKey("a/w").setValue(ByteString.copyFromUtf8("1")).build());
            kv.put(KvPutRequest.newBuilder().setKey("b/w").setValue(ByteString.copyFromUtf8("1")).build());
            WatchManyEvent after = next(events);
            assertEquals(List.of(3L), after.getWatchIdsList());
            assertEquals("b/w", after.getEvent().getKv().getUpserted(0).getKey());

            // The client finishing ends the stream.
            requests.onCompleted();
            assertTrue(ended.await(10, TimeUnit.SECONDS), "the stream ended after the client finished");
            assertNull(events.poll(200, TimeUnit.MILLISECONDS));
        }
    }
}
