package dev.meshplane.controlplane.watch;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One watch stream (its events already encoded): a bounded queue of events drained to the client as fast as gRPC flow
 * control allows. A consumer that lets {@code maxPending} events pile up is cut off with
 * RESOURCE_EXHAUSTED rather than allowed to grow the server's memory.
 */
final class Subscriber implements Sink {
    private final ServerCallStreamObserver<EncodedEvent> out;
    private final Executor executor;
    private final int maxPending;
    private final Runnable onClose;
    private final ArrayDeque<EncodedEvent> pending = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;
    /** Set by {@link #complete}: the stream ends once the queue is empty. */
    private boolean completing;

    Subscriber(ServerCallStreamObserver<EncodedEvent> out, Executor executor, int maxPending, Runnable onClose) {
        this.out = out;
        this.executor = executor;
        this.maxPending = maxPending;
        this.onClose = onClose;
    }

    @Override
    public void offer(EncodedEvent event) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (pending.size() >= maxPending) {
                closed = true;
                pending.clear();
                executor.execute(() -> {
                    out.onError(Status.RESOURCE_EXHAUSTED.withDescription("watch consumer fell " + maxPending
                            + " events behind; subscribe again to get a fresh snapshot").asRuntimeException());
                    onClose.run();
                });
                return;
            }
            pending.add(event);
            if (draining) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    /** gRPC's onReady: the transport can take more. */
    void onReady() {
        synchronized (this) {
            if (draining || closed || pending.isEmpty()) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    /** Ends the stream normally once the queued events have been sent. */
    void complete() {
        synchronized (this) {
            if (closed) {
                return;
            }
            completing = true;
            if (draining) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    /** The client went away. */
    void cancel() {
        synchronized (this) {
            closed = true;
            pending.clear();
        }
        onClose.run();
    }

    private void drain() {
        while (true) {
            EncodedEvent next;
            synchronized (this) {
                if (!closed && completing && pending.isEmpty()) {
                    closed = true;
                    draining = false;
                    out.onCompleted();
                    return;
                }
                if (closed || pending.isEmpty() || !out.isReady()) {
                    draining = false;
                    return;
                }
                next = pending.poll();
            }
            out.onNext(next);
        }
    }
}
