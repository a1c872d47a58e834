package dev.meshplane.sidecar.connect;

import dev.meshplane.proto.v1.QueryMeta;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Logger;

/**
 * Keeps a result current with blocking queries: ask with the last index, hand every answer
 * whose index moved to the consumer, and ask again at once. Failures back off (up to the
 * configured maximum) and never end the loop; {@link #close()} does. One virtual thread each.
 */
final class BlockingWatch<R> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BlockingWatch.class.getName());
    /** Long enough to cost almost nothing when idle, short enough to notice a lost server. */
    static final Duration WAIT = Duration.ofMinutes(5);

    private final String what;
    private final Function<QueryOptions, R> query;
    private final ToLongFunction<R> index;
    private final Consumer<R> consumer;
    private final Duration maxBackoff;
    private final Context.CancellableContext context = Context.current().withCancellation();
    private Thread thread;

    /**
     * @param what  names the watch in logs ("CA roots")
     * @param query one blocking call (the caller sets its deadline beyond {@link #WAIT})
     * @param index the answer's index (from its QueryMeta)
     */
    BlockingWatch(String what, Function<QueryOptions, R> query, ToLongFunction<R> index, Consumer<R> consumer,
                  Duration maxBackoff) {
        this.what = what;
        this.query = query;
        this.index = index;
        this.consumer = consumer;
        this.maxBackoff = maxBackoff;
    }

    static long indexOf(QueryMeta meta) {
        return meta.getIndex();
    }

    BlockingWatch<R> start() {
        thread = Thread.ofVirtual().name("watch " + what).start(() -> context.run(this::loop));
        return this;
    }

    private void loop() {
        long last = 0;
        long backoffMillis = 100;
        while (!context.isCancelled()) {
            try {
                R answer = query.apply(QueryOptions.newBuilder().setIndex(last)
                        .setWait(com.google.protobuf.Duration.newBuilder().setSeconds(WAIT.toSeconds())).build());
                long i = index.applyAsLong(answer);
                // An index that went backwards means the servers' state was restored: start over.
                if (i != last || last == 0) {
                    consumer.accept(answer);
                }
                last = i < last ? 0 : i;
                backoffMillis = 100;
            } catch (StatusRuntimeException e) {
                if (context.isCancelled() || e.getStatus().getCode() == Status.Code.CANCELLED && context.isCancelled()) {
                    return;
                }
                LOG.fine(() -> what + ": " + e.getStatus() + "; retrying");
                if (!sleep(backoffMillis)) {
                    return;
                }
                backoffMillis = Math.min(maxBackoff.toMillis(), backoffMillis * 2);
            } catch (RuntimeException e) {
                LOG.warning(what + ": " + e + "; retrying");
                if (!sleep(backoffMillis)) {
                    return;
                }
                backoffMillis = Math.min(maxBackoff.toMillis(), backoffMillis * 2);
            }
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        context.cancel(null);
        if (thread != null) {
            thread.interrupt();
        }
    }
}
