package dev.meshplane.sidecar.rpc;

import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.IntentionsGrpc;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The CA roots and the intentions, each followed by one blocking query to the servers, for every
 * part of the agent that needs them (the mTLS proxies and the xDS RBAC filters): one pair of
 * parked queries per agent however many parts listen.
 */
public final class MeshFeeds implements AutoCloseable {
    private final Feed<CaRootsResponse> roots;
    private final Feed<IntentionListResponse> intentions;

    public MeshFeeds(Channel servers, Duration maxBackoff) {
        long deadline = BlockingQueryLoop.CALL_DEADLINE_SECONDS;
        var ca = ConnectCAGrpc.newBlockingStub(servers);
        var intentionsApi = IntentionsGrpc.newBlockingStub(servers);
        this.roots = new Feed<>("CA roots", o -> ca.withDeadlineAfter(deadline, TimeUnit.SECONDS)
                .roots(CaRootsRequest.newBuilder().setOptions(o).build()), r -> BlockingQueryLoop.indexOf(r.getMeta()),
                maxBackoff);
        this.intentions = new Feed<>("intentions", o -> intentionsApi.withDeadlineAfter(deadline, TimeUnit.SECONDS)
                .list(IntentionListRequest.newBuilder().setOptions(o).build()),
                r -> BlockingQueryLoop.indexOf(r.getMeta()), maxBackoff);
    }

    /**
     * Calls {@code listener} with the current roots (when known) and every later answer, one at a
     * time and in order. It must not call back into this object.
     */
    public void onRoots(Consumer<CaRootsResponse> listener) {
        roots.listen(listener);
    }

    /** As {@link #onRoots}, for the intentions. */
    public void onIntentions(Consumer<IntentionListResponse> listener) {
        intentions.listen(listener);
    }

    /** Starts both queries (once; later calls do nothing). */
    public void start() {
        roots.start();
        intentions.start();
    }

    @Override
    public void close() {
        roots.close();
        intentions.close();
    }

    private static final class Feed<R> {
        private final BlockingQueryLoop<R> loop;
        private final List<Consumer<R>> listeners = new ArrayList<>();
        private R last;
        private boolean started;

        Feed(String what, Function<QueryOptions, R> query, ToLongFunction<R> index, Duration maxBackoff) {
            this.loop = new BlockingQueryLoop<>(what, query, index, this::deliver, maxBackoff);
        }

        /** Under this feed's monitor, so a listener joining never sees an older answer after a newer one. */
        private synchronized void deliver(R answer) {
            last = answer;
            for (Consumer<R> l : listeners) {
                l.accept(answer);
            }
        }

        synchronized void listen(Consumer<R> listener) {
            listeners.add(listener);
            if (last != null) {
                listener.accept(last);
            }
        }

        synchronized void start() {
            if (!started) {
                started = true;
                loop.start();
            }
        }

        void close() {
            loop.close();
        }
    }
}
