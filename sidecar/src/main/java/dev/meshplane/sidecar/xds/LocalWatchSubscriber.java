package dev.meshplane.sidecar.xds;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * One application's Watch stream served from a shared topic: a bounded queue of encoded events
 * drained as fast as gRPC flow control allows. A consumer that lets {@code maxPending} events pile
 * up is cut off with RESOURCE_EXHAUSTED, as the servers do, so a slow application cannot grow the
 * sidecar's memory.
 */
final class LocalWatchSubscriber implements SharedTopic.Listener {
    private final ServerCallStreamObserver<byte[]> out;
    private final Executor executor;
    private final int maxPending;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private Runnable onClose = () -> { };
    private boolean draining;
    private boolean closed;

    LocalWatchSubscriber(ServerCallStreamObserver<byte[]> out, Executor executor, int maxPending) {
        this.out = out;
        this.executor = executor;
        this.maxPending = maxPending;
    }

    synchronized void onClose(Runnable r) {
        this.onClose = r;
        if (closed) {
            executor.execute(r);
        }
    }

    @Override
    public void onEvent(EncodedWatchEvent event, TopicState state) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (event.snapshot()) {
                // A snapshot replaces everything before it: nothing queued is still needed.
                pending.clear();
            }
            if (pending.size() >= maxPending) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("watch consumer fell " + maxPending
                        + " events behind; subscribe again to get a fresh snapshot"));
                return;
            }
            pending.add(event.bytes());
            if (draining) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    @Override
    public void onFailed(Status status) {
        synchronized (this) {
            if (closed) {
                return;
            }
            fail(status);
        }
    }

    /** Must hold the lock. */
    private void fail(Status status) {
        closed = true;
        pending.clear();
        Runnable close = onClose;
        executor.execute(() -> {
            try {
                out.onError(status.asRuntimeException());
            } catch (IllegalStateException alreadyClosed) {
                // The call was cancelled meanwhile.
            }
            close.run();
        });
    }

    void onReady() {
        synchronized (this) {
            if (draining || closed || pending.isEmpty()) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    /** The application went away. */
    void cancelled() {
        Runnable close;
        synchronized (this) {
            closed = true;
            pending.clear();
            close = onClose;
        }
        close.run();
    }

    private void drain() {
        while (true) {
            byte[] next;
            synchronized (this) {
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
