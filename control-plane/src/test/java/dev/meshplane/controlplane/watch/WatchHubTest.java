package dev.meshplane.controlplane.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchHubTest {

    /** A stream that is always ready and records what is sent. */
    static final class Recorder extends ServerCallStreamObserver<EncodedEvent> {
        final List<EncodedEvent> sent = new CopyOnWriteArrayList<>();

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(EncodedEvent value) {
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    @Test
    void subscribersOfOneTopicShareOneComputationAndOneEncoding() throws Exception {
        StateStore store = new StateStore();
        WatchHub hub = new WatchHub(store, new StateQueries(store), WatchConfig.DEFAULTS);
        store.addListener(hub);
        WatchRequest request = WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("k")).build();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        hub.subscribe(request, a);
        hub.subscribe(request, b);
        assertEquals(1, hub.topicCount());
        store.apply(2, Command.newBuilder().setKvPut(KvPut.newBuilder().setKey("k1").setValue(ByteString.copyFromUtf8("v")))
                .build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((a.sent.size() < 2 || b.sent.size() < 2) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertSame(a.sent.get(0).bytes(), b.sent.get(0).bytes(), "one encoded snapshot for both");
        assertSame(a.sent.get(1).bytes(), b.sent.get(1).bytes(), "one encoded delta for both");
        WatchEvent delta = WatchEvent.parseFrom(a.sent.get(1).bytes());
        assertEquals(WatchEvent.Kind.DELTA, delta.getKind());
        assertEquals(2, delta.getIndex());
        assertTrue(delta.getKv().getUpserted(0).getKey().equals("k1"));
        hub.close();
    }
}
