package dev.meshplane.controlplane.leader;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ReapTombstones;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Forgets KV tombstones once they are older than the tombstone TTL (Consul: 15 minutes), so a
 * store with heavy delete churn does not grow without bound. The leader remembers, per
 * granularity bucket, the newest index that left a tombstone and when; a bucket past the TTL
 * becomes one replicated reap up to its index. A new leader starts with no buckets: tombstones
 * created before it led are reaped with the first bucket it expires.
 */
public final class TombstoneReaper implements StateStore.ChangeListener, AutoCloseable {
    /** Consul's tombstone_ttl and its granularity. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    public static final Duration DEFAULT_GRANULARITY = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(TombstoneReaper.class.getName());

    private record Bucket(long startedNanos, long maxIndex) {}

    private final Consensus consensus;
    private final LongSupplier nanoClock;
    private final long ttlNanos;
    private final long granularityNanos;
    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();
    private final ScheduledFuture<?> task;
    private volatile boolean leading;

    public TombstoneReaper(Consensus consensus, ScheduledExecutorService scheduler, LongSupplier nanoClock,
                           Duration ttl, Duration granularity) {
        if (ttl.isNegative() || ttl.isZero() || granularity.isNegative() || granularity.isZero()) {
            throw new IllegalArgumentException("tombstone ttl " + ttl + " and granularity " + granularity
                    + " must be positive");
        }
        this.consensus = consensus;
        this.nanoClock = nanoClock;
        this.ttlNanos = ttl.toNanos();
        this.granularityNanos = granularity.toNanos();
        this.task = scheduler.scheduleWithFixedDelay(this::reapExpired, granularity.toNanos(),
                granularity.toNanos(), TimeUnit.NANOSECONDS);
    }

    public synchronized void setLeading(boolean leading) {
        this.leading = leading;
        buckets.clear();
    }

    @Override
    public synchronized void onApplied(long index, Changes changes) {
        if (!leading || !changes.tombstonesAdded()) {
            return;
        }
        long now = nanoClock.getAsLong();
        Bucket last = buckets.peekLast();
        if (last != null && now - last.startedNanos() < granularityNanos) {
            buckets.pollLast();
            buckets.addLast(new Bucket(last.startedNanos(), index));
        } else {
            buckets.addLast(new Bucket(now, index));
        }
    }

    /** Proposes one reap for every bucket past the TTL; completes when it is applied. */
    CompletableFuture<?> reapExpired() {
        long upTo = 0;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            while (!buckets.isEmpty() && now - buckets.peekFirst().startedNanos() >= ttlNanos + granularityNanos) {
                upTo = Math.max(upTo, buckets.pollFirst().maxIndex());
            }
        }
        if (upTo == 0) {
            return CompletableFuture.completedFuture(null);
        }
        long index = upTo;
        return consensus.propose(Command.newBuilder().setReapTombstones(ReapTombstones.newBuilder()
                .setUpToIndex(index)).build()).whenComplete((applied, failure) -> {
                    if (failure != null) {
                        LOG.warning("could not reap tombstones up to " + index + ": " + failure);
                    }
                });
    }

    /** Buckets waiting for their TTL, for tests. */
    public synchronized int pendingBuckets() {
        return buckets.size();
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
