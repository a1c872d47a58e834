package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.Durations;
import dev.meshplane.api.ErrorMapping;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.Indexed;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.controlplane.watch.WakeRegistry;
import dev.meshplane.proto.v1.QueryMeta;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Serves reads, blocking ones included, without parking a thread per query: a query that
 * must wait registers wake-ups and a timer, and is re-run on a worker when either fires.
 */
final class BlockingReads {
    /** Consul's defaults: block 5 minutes unless told otherwise, never more than 10. */
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final Consensus consensus;
    private final StateStore store;
    private final WakeRegistry wakes;
    private final ScheduledExecutorService timer;
    private final Executor worker;

    BlockingReads(Consensus consensus, StateStore store, WakeRegistry wakes,
                  ScheduledExecutorService timer, Executor worker) {
        this.consensus = consensus;
        this.store = store;
        this.wakes = wakes;
        this.timer = timer;
        this.worker = worker;
    }

    /**
     * Answers {@code observer} with {@code respond(result, meta)} once the query's index passes
     * {@code options.index}, or when the wait runs out.
     *
     * @param wakeKeys what the query depends on (see {@link dev.meshplane.controlplane.watch.WakeKeys})
     */
    <R, A> void serve(QueryOptions options, List<String> wakeKeys, Supplier<Indexed<R>> query,
                      BiFunction<Indexed<R>, QueryMeta, A> respond, StreamObserver<A> observer) {
        long deadlineNanos = System.nanoTime() + waitNanos(options);
        new Attempt<>(options, wakeKeys, query, respond, observer, deadlineNanos, Context.current(),
                store.restores()).run();
    }

    static long waitNanos(QueryOptions options) {
        if (options.getIndex() == 0) {
            return 0;
        }
        Duration wait = options.hasWait() ? Durations.toJava(options.getWait()) : DEFAULT_WAIT;
        if (wait.isNegative()) {
            throw ApiException.invalidArgument("options.wait", "must not be negative");
        }
        if (wait.isZero()) {
            wait = DEFAULT_WAIT;
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        // Jitter spreads the answers of many queries that started together.
        long jitter = ThreadLocalRandom.current().nextLong(wait.toNanos() / 16 + 1);
        return wait.toNanos() + jitter;
    }

    private final class Attempt<R, A> implements Runnable {
        private final QueryOptions options;
        private final List<String> wakeKeys;
        private final Supplier<Indexed<R>> query;
        private final BiFunction<Indexed<R>, QueryMeta, A> respond;
        private final StreamObserver<A> observer;
        private final long deadlineNanos;
        private final Context context;
        /** A restore replaces the state (indexes may go backwards): answer at once so clients re-sync. */
        private final long restoresAtStart;
        private final AtomicBoolean answered = new AtomicBoolean();
        private final List<WakeRegistry.Registration> registrations = new ArrayList<>();
        private ScheduledFuture<?> timeout;

        Attempt(QueryOptions options, List<String> wakeKeys, Supplier<Indexed<R>> query,
                BiFunction<Indexed<R>, QueryMeta, A> respond, StreamObserver<A> observer,
                long deadlineNanos, Context context, long restoresAtStart) {
            this.options = options;
            this.wakeKeys = wakeKeys;
            this.query = query;
            this.respond = respond;
            this.observer = observer;
            this.deadlineNanos = deadlineNanos;
            this.context = context;
            this.restoresAtStart = restoresAtStart;
            context.addListener(c -> cleanUp(), Runnable::run);
        }

        @Override
        public void run() {
            consensus.readBarrier(options.getConsistency()).whenComplete((status, failure) -> {
                if (failure != null) {
                    finishWithError(failure);
                    return;
                }
                try {
                    evaluate(status);
                } catch (RuntimeException e) {
                    finishWithError(e);
                }
            });
        }

        private void evaluate(Consensus.ReadStatus status) {
            Indexed<R> result = store.read(() -> {
                Indexed<R> r = query.get();
                boolean done = options.getIndex() == 0 || r.index() > options.getIndex()
                        || System.nanoTime() >= deadlineNanos || context.isCancelled()
                        || store.restores() != restoresAtStart;
                if (done) {
                    return r;
                }
                synchronized (this) {
                    cancelRegistrations();
                    AtomicBoolean fired = new AtomicBoolean();
                    Runnable wake = () -> {
                        if (fired.compareAndSet(false, true)) {
                            worker.execute(this);
                        }
                    };
                    for (String key : wakeKeys) {
                        registrations.add(wakes.register(key, wake));
                    }
                    if (timeout == null) {
                        long delay = Math.max(0, deadlineNanos - System.nanoTime());
                        timeout = timer.schedule(() -> worker.execute(this), delay, TimeUnit.NANOSECONDS);
                    }
                }
                return null;
            });
            if (result != null && answered.compareAndSet(false, true)) {
                cleanUp();
                if (context.isCancelled()) {
                    return;
                }
                QueryMeta meta = QueryMeta.newBuilder().setIndex(result.index())
                        .setKnownLeader(status.knownLeader())
                        .setLastContact(Durations.toProto(status.lastContact()))
                        .setEffectiveConsistency(status.effective()).build();
                observer.onNext(respond.apply(result, meta));
                observer.onCompleted();
            }
        }

        private void finishWithError(Throwable failure) {
            if (answered.compareAndSet(false, true)) {
                cleanUp();
                observer.onError(ErrorMapping.toStatusException(failure));
            }
        }

        private synchronized void cleanUp() {
            cancelRegistrations();
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        private void cancelRegistrations() {
            registrations.forEach(WakeRegistry.Registration::cancel);
            registrations.clear();
        }
    }
}
