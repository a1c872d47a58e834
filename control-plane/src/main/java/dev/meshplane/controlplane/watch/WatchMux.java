package dev.meshplane.controlplane.watch;

import com.google.protobuf.UnsafeByteOperations;
import dev.meshplane.proto.internal.v1.WatchManyEventWire;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One WatchMany stream: many watches, each opened under a client-chosen id, sharing one
 * outgoing queue. Watches of the stream on the same topic form one group that the topic sees
 * as a single subscriber, so a change costs one message per stream, naming every watch it is
 * for, however many watches the stream holds. A new watch's snapshot goes to it alone, queued
 * before it joins its group, so it sees exactly the changes after its snapshot.
 *
 * <p>Locking order: this mux, then the store and hub (through {@link WatchHub#atTopic}), then
 * the outgoing queue. Groups are read by topics under the store's write lock without this
 * monitor (their id arrays are replaced, never changed in place).
 */
public final class WatchMux {
    /** Watches one stream may hold open; beyond this an open is answered canceled. */
    public static final int MAX_WATCHES_PER_STREAM = 100_000;

    private final WatchHub hub;
    private final Subscriber out;
    private final Map<Long, WatchRequest> open = new HashMap<>();
    private final Map<WatchRequest, Group> groups = new HashMap<>();
    private boolean closed;

    WatchMux(WatchHub hub, ServerCallStreamObserver<EncodedEvent> stream, Executor sender, int maxPending) {
        this.hub = hub;
        this.out = new Subscriber(stream, sender, maxPending, this::close);
        stream.setOnCancelHandler(out::cancel);
        stream.setOnReadyHandler(out::onReady);
    }

    /** Opens watch {@code id} on the request's topic (already validated); a bad id is answered canceled. */
    public synchronized void open(long id, WatchRequest request) {
        if (closed) {
            return;
        }
        if (id == 0) {
            out.offer(canceled(id, "watch_id: must not be 0"));
            return;
        }
        if (open.containsKey(id)) {
            out.offer(canceled(id, "watch_id: " + id + " is already open on this stream"));
            return;
        }
        if (open.size() >= MAX_WATCHES_PER_STREAM) {
            out.offer(canceled(id, "this stream already holds " + MAX_WATCHES_PER_STREAM
                    + " watches (the limit); open another stream"));
            return;
        }
        open.put(id, request);
        hub.atTopic(request, (topic, snapshot) -> {
            out.offer(encode(new long[] {id}, snapshot));
            Group g = groups.get(request);
            if (g == null) {
                g = new Group();
                groups.put(request, g);
                g.add(id);
                topic.add(g);
            } else {
                g.add(id);
            }
            return null;
        });
    }

    /** Answers a watch that could not be opened (its request was invalid) with the reason. */
    public synchronized void reject(long id, String reason) {
        if (!closed) {
            out.offer(canceled(id, reason));
        }
    }

    /** Ends watch {@code id} and confirms it with a canceled event; an unknown id is ignored. */
    public synchronized void cancel(long id) {
        WatchRequest request = open.remove(id);
        if (request == null || closed) {
            return;
        }
        Group g = groups.get(request);
        if (g.remove(id)) {
            groups.remove(request);
            hub.leave(request, g);
        }
        out.offer(canceled(id, ""));
    }

    /** The client finished sending: the stream ends once what is queued has gone. */
    public void finish() {
        close();
        out.complete();
    }

    /** The stream ended (the client went away or fell behind): every watch leaves its topic. */
    public void close() {
        List<Map.Entry<WatchRequest, Group>> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(groups.entrySet());
            groups.clear();
            open.clear();
        }
        left.forEach(e -> hub.leave(e.getKey(), e.getValue()));
    }

    /** Watches open on this stream (for tests). */
    public synchronized int openCount() {
        return open.size();
    }

    private static EncodedEvent encode(long[] ids, EncodedEvent event) {
        WatchManyEventWire.Builder b = WatchManyEventWire.newBuilder()
                .setEvent(UnsafeByteOperations.unsafeWrap(event.bytes()));
        for (long id : ids) {
            b.addWatchIds(id);
        }
        return new EncodedEvent(event.index(), event.kind(), b.build().toByteArray());
    }

    private static EncodedEvent canceled(long id, String reason) {
        return new EncodedEvent(0, WatchEvent.Kind.KIND_UNSPECIFIED, WatchManyEventWire.newBuilder()
                .addWatchIds(id).setCanceled(true).setCancelReason(reason).build().toByteArray());
    }

    /** The watches of this stream on one topic: one subscriber to the topic. */
    private final class Group implements Sink {
        private volatile long[] ids = new long[0];

        void add(long id) {
            long[] more = Arrays.copyOf(ids, ids.length + 1);
            more[more.length - 1] = id;
            ids = more;
        }

        /** Returns true when no watch is left in the group. */
        boolean remove(long id) {
            ids = Arrays.stream(ids).filter(i -> i != id).toArray();
            return ids.length == 0;
        }

        @Override
        public void offer(EncodedEvent event) {
            long[] now = ids;
            if (now.length > 0) {
                out.offer(encode(now, event));
            }
        }
    }
}
