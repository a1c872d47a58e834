package dev.meshplane.ca;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When a sidecar renews a leaf: at a random point between 60% and 90% of its lifetime, as
 * Consul does. The spread keeps thousands of sidecars that got their leaves together (after a
 * leader change or rotation) from all asking again in the same second; 90% leaves a tenth of
 * the lifetime (7 h of a 72 h leaf) to retry through an outage.
 */
public final class Renewal {
    /** Earliest renewal point, as a fraction of the lifetime. */
    public static final double EARLIEST = 0.6;
    /** Latest renewal point, as a fraction of the lifetime. */
    public static final double LATEST = 0.9;

    private Renewal() {}

    /** A renewal time in [validAfter + 60% lifetime, validAfter + 90% lifetime], drawn from {@code random}. */
    public static Instant renewAt(Instant validAfter, Instant validBefore, RandomGenerator random) {
        Duration lifetime = Duration.between(validAfter, validBefore);
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("certificate lifetime " + validAfter + " .. " + validBefore
                    + " is empty; validBefore must be after validAfter");
        }
        double fraction = EARLIEST + (LATEST - EARLIEST) * random.nextDouble();
        long offsetNanos = Math.round(lifetime.toNanos() * fraction);
        return validAfter.plusNanos(offsetNanos);
    }

    /** {@link #renewAt} for a leaf just issued. */
    public static Instant renewAt(IssuedLeaf leaf, RandomGenerator random) {
        return renewAt(leaf.validAfter(), leaf.validBefore(), random);
    }
}
