package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.IntentionsGrpc;
import dev.meshplane.proto.v1.QueryMeta;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The servers' Intentions.List as a blocking query: a call with the current index waits for the next set. */
final class FakeIntentions extends IntentionsGrpc.IntentionsImplBase {
    private final List<StreamObserver<IntentionListResponse>> waiting = new ArrayList<>();
    private IntentionListResponse current;
    /** List calls answered, for tests that check how often the sidecar asks. */
    final AtomicInteger answered = new AtomicInteger();

    @Override
    public void list(IntentionListRequest request, StreamObserver<IntentionListResponse> observer) {
        IntentionListResponse now;
        synchronized (this) {
            if (current == null || request.getOptions().getIndex() >= current.getMeta().getIndex()) {
                waiting.add(observer);
                return;
            }
            now = current;
        }
        answer(observer, now);
    }

    /** Publishes a new set (a new index) and wakes every waiting query. */
    void set(boolean defaultAllow, Intention... intentions) {
        List<StreamObserver<IntentionListResponse>> wake;
        IntentionListResponse r;
        synchronized (this) {
            long index = current == null ? 10 : current.getMeta().getIndex() + 1;
            r = IntentionListResponse.newBuilder().addAllIntentions(List.of(intentions)).setDefaultAllow(defaultAllow)
                    .setMeta(QueryMeta.newBuilder().setIndex(index)).build();
            current = r;
            wake = new ArrayList<>(waiting);
            waiting.clear();
        }
        wake.forEach(o -> answer(o, r));
    }

    private void answer(StreamObserver<IntentionListResponse> o, IntentionListResponse r) {
        answered.incrementAndGet();
        try {
            o.onNext(r);
            o.onCompleted();
        } catch (RuntimeException cancelled) {
            // The caller went away meanwhile.
        }
    }
}
