package dev.meshplane.sidecar.rpc;

import dev.meshplane.proto.v1.QueryMeta;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * Keeps one answer of the servers current with blocking queries, on a virtual thread: ask with the
 * last index seen, hand on every answer whose index moved, ask again at once. Failures back off
 * from 100 ms, doubling up to a maximum, with jitter, and never end the loop; {@link #close()} does.
 */
public final class BlockingQueryLoop<R> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BlockingQueryLoop.class.getName());
    /** How long one query may block on the servers: long enough to cost nothing when idle. */
    public static final Duration WAIT = Duration.ofMinutes(5);
    /** A deadline for one call that outlasts {@link #WAIT} and the servers' jitter on it. */
    public static final long CALL_DEADLINE_SECONDS = WAIT.toSeconds() + 30;

    private final String what;
    private final Function<QueryOptions, R> query;
    private final ToLongFunction<R> index;
    private final Consumer<R> consumer;
    private final Duration maxBackoff;
    private final Context.CancellableContext context = Context.current().fork().withCancellation();
    private volatile Thread thread;

    /**
     * @param what  names the loop in logs and its thread ("CA roots")
     * @param query one blocking call; its deadline must exceed {@link #WAIT}
     * @param index the answer's index (from its QueryMeta: {@link #indexOf})
     */
    public BlockingQueryLoop(String what, Function<QueryOptions, R> query, ToLongFunction<R> index,
                             Consumer<R> consumer, Duration maxBackoff) {
        this.what = what;
        this.query = query;
        this.index = index;
        this.consumer = consumer;
        this.maxBackoff = maxBackoff;
    }

    public static long indexOf(QueryMeta meta) {
        return meta.getIndex();
    }

    public BlockingQueryLoop<R> start() {
        thread = Thread.ofVirtual().name("watch " + what).start(() -> context.run(this::loop));
        return this;
    }

    private void loop() {
        long last = 0;
        long backoff = 100;
        while (!context.isCancelled()) {
            try {
                R answer = query.apply(QueryOptions.newBuilder().setIndex(last).setWait(
                        com.google.protobuf.Duration.newBuilder().setSeconds(WAIT.toSeconds())).build());
                long i = index.applyAsLong(answer);
                if (i != last || last == 0) {
                    consumer.accept(answer);
                }
                // An index that went backwards means the servers' state was restored: start over.
                last = i < last ? 0 : i;
                backoff = 100;
            } catch (StatusRuntimeException e) {
                if (context.isCancelled()) {
                    return;
                }
                LOG.fine(() -> what + ": " + e.getStatus() + "; retrying");
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(maxBackoff.toMillis(), backoff * 2);
            } catch (RuntimeException e) {
                // A consumer that failed on one answer must not end the loop: the next answer retries it.
                LOG.warning(what + ": " + e + "; retrying");
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(maxBackoff.toMillis(), backoff * 2);
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        context.cancel(null);
        Thread t = thread;
        if (t != null) {
            // Wakes a back-off sleep; a blocked call ends with the context.
            t.interrupt();
        }
    }
}
