package dev.meshplane.controlplane.cluster;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.raft.storage.StoredSnapshot;
import dev.meshplane.proto.internal.v1.InstallAck;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import dev.meshplane.proto.internal.v1.SendAck;
import dev.meshplane.proto.internal.v1.SnapshotPiece;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Raft's messages to the other servers over gRPC: one long-lived stream per peer fed from a
 * bounded queue by a virtual thread, so a slow or dead peer never blocks the Raft loop. Raft
 * tolerates loss: a message that cannot be queued or sent is dropped and the loop is told the
 * peer is unreachable (it then probes instead of pipelining).
 */
public final class PeerTransport implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeerTransport.class.getName());
    static final int QUEUE_CAPACITY = 4096;
    static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;
    static final int MAX_MESSAGE_BYTES = 128 << 20;
    /** Pings keep idle peer connections known to be alive; servers must permit them (see {@link #PERMIT_PING_SECONDS}). */
    static final long PING_INTERVAL_SECONDS = 30;
    /** What the server RPC port must allow, below the ping interval, or it answers GOAWAY too_many_pings. */
    public static final long PERMIT_PING_SECONDS = 20;

    /** Callbacks into the Raft loop. */
    interface Events {
        void unreachable(String peer);

        void snapshotSent(String peer, boolean success);
    }

    private final String selfId;
    private final AddressBook book;
    private final Events events;
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    PeerTransport(String selfId, AddressBook book, Events events) {
        this.selfId = selfId;
        this.book = book;
        this.events = events;
    }

    void send(RaftMessage message) {
        if (closed) {
            return;
        }
        PeerLink link = links.computeIfAbsent(message.getTo(), PeerLink::new);
        if (!link.queue.offer(message)) {
            events.unreachable(message.getTo());
        }
    }

    /** Streams a stored snapshot to the peer, then reports how it went. */
    void sendSnapshot(RaftMessage message, StoredSnapshot snapshot) {
        Thread.ofVirtual().name("snapshot-to-" + message.getTo()).start(() -> {
            boolean ok = false;
            try {
                ok = streamSnapshot(message, snapshot);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "sending snapshot " + snapshot.metadata().getIndex() + " to " + message.getTo()
                        + " failed: " + e);
            }
            events.snapshotSent(message.getTo(), ok);
        });
    }

    private boolean streamSnapshot(RaftMessage message, StoredSnapshot snapshot) throws Exception {
        ManagedChannel channel = channelFor(message.getTo());
        if (channel == null) {
            return false;
        }
        CompletableFuture<InstallAck> done = new CompletableFuture<>();
        StreamObserver<SnapshotPiece> up = RaftServiceGrpc.newStub(channel).installSnapshot(futureObserver(done));
        up.onNext(SnapshotPiece.newBuilder().setMessage(message).build());
        try (InputStream in = snapshot.openFile()) {
            byte[] buf = new byte[SNAPSHOT_CHUNK_BYTES];
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0 && !done.isDone()) {
                up.onNext(SnapshotPiece.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
            }
        }
        up.onCompleted();
        InstallAck ack = done.get(10, TimeUnit.MINUTES);
        LOG.info("snapshot at index " + snapshot.metadata().getIndex() + " (" + snapshot.fileBytes() + " bytes) sent to "
                + message.getTo() + (ack.getInstalled() ? "" : ", which did not install it"));
        return ack.getInstalled();
    }

    private static <T> StreamObserver<T> futureObserver(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** A channel to the server with this ID, or null if its address is unknown. */
    ManagedChannel channelFor(String id) {
        return book.address(id).map(this::channelTo).orElse(null);
    }

    ManagedChannel channelTo(String address) {
        return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .keepAliveTime(PING_INTERVAL_SECONDS, TimeUnit.SECONDS).keepAliveWithoutCalls(true).build());
    }

    @Override
    public void close() {
        closed = true;
        links.values().forEach(PeerLink::stop);
        channels.values().forEach(ManagedChannel::shutdownNow);
    }

    /** The stream to one peer. */
    private final class PeerLink {
        final String peer;
        final BlockingQueue<RaftMessage> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        final Thread thread;

        PeerLink(String peer) {
            this.peer = peer;
            this.thread = Thread.ofVirtual().name("raft-to-" + peer).start(this::run);
        }

        void stop() {
            thread.interrupt();
        }

        private void run() {
            long backoff = 50;
            while (!closed) {
                try {
                    ManagedChannel channel = channelFor(peer);
                    if (channel == null) {
                        // Nobody knows where it is yet; drop what piles up and look again.
                        queue.clear();
                        events.unreachable(peer);
                        Thread.sleep(backoff);
                        backoff = Math.min(2_000, backoff * 2);
                        continue;
                    }
                    pump(channel);
                    backoff = 50;
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "stream to " + peer + " broke", e);
                }
                if (closed) {
                    return;
                }
                events.unreachable(peer);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = Math.min(2_000, backoff * 2);
            }
        }

        /** Sends queued messages on one stream until the stream fails. */
        private void pump(ManagedChannel channel) throws InterruptedException {
            Semaphore ready = new Semaphore(0);
            CompletableFuture<Void> ended = new CompletableFuture<>();
            @SuppressWarnings("unchecked")
            ClientCallStreamObserver<RaftMessage>[] out = new ClientCallStreamObserver[1];
            RaftServiceGrpc.newStub(channel).send(new ClientResponseObserver<RaftMessage, SendAck>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<RaftMessage> requestStream) {
                    out[0] = requestStream;
                    requestStream.setOnReadyHandler(ready::release);
                }

                @Override
                public void onNext(SendAck value) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                    ready.release();
                }

                @Override
                public void onCompleted() {
                    ended.complete(null);
                    ready.release();
                }
            });
            try {
                while (!ended.isDone() && !closed) {
                    RaftMessage m = queue.poll(1, TimeUnit.SECONDS);
                    if (m == null) {
                        continue;
                    }
                    while (!out[0].isReady() && !ended.isDone()) {
                        ready.tryAcquire(100, TimeUnit.MILLISECONDS);
                    }
                    if (ended.isDone()) {
                        break;
                    }
                    out[0].onNext(m);
                }
            } finally {
                if (!ended.isDone()) {
                    out[0].onCompleted();
                }
            }
            if (!closed) {
                throw new IllegalStateException("stream to " + peer + " ended: "
                        + ended.handle((v, t) -> t == null ? "closed by peer" : t.toString()).join());
            }
        }
    }
}
