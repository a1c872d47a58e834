package dev.meshplane.ca;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket for CSR signing on the leader: tokens refill at {@code perSecond} up to
 * {@code burst}; each signing takes one. A refusal says how long until a token is there, which
 * the server returns as RESOURCE_EXHAUSTED with a retry hint. Time comes from an injected
 * monotonic nanosecond clock ({@code System::nanoTime} in production), so tests drive it.
 * Thread-safe.
 */
public final class CsrRateLimiter {
    /**
     * @param perSecond signings allowed per second on average; 0 turns the limit off (as
     *                  Consul's csr_max_per_second = 0 does)
     * @param burst     signings allowed at once after a quiet spell
     */
    public record Config(double perSecond, int burst) {
        /** Consul's csr_max_per_second default, with one second's worth as burst. */
        public static final Config DEFAULTS = new Config(50, 50);

        public Config {
            if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("perSecond " + perSecond + " must be a finite number >= 0");
            }
            if (burst < 1) {
                throw new IllegalArgumentException("burst " + burst + " must be at least 1");
            }
        }
    }

    /** The answer to one request. */
    public sealed interface Decision {
        boolean granted();
    }

    public record Granted() implements Decision {
        @Override
        public boolean granted() {
            return true;
        }
    }

    /** @param retryAfter the time until a token will be available, rounded up to a millisecond */
    public record Denied(Duration retryAfter) implements Decision {
        @Override
        public boolean granted() {
            return false;
        }
    }

    private static final Granted GRANTED = new Granted();
    private static final double NANOS_PER_SECOND = 1e9;
    /** Floating-point slack, so waiting exactly the advised retryAfter always earns a token. */
    private static final double EPSILON = 1e-9;

    private final Config config;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;

    public CsrRateLimiter(Config config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
        this.tokens = config.burst();
        this.lastRefill = nanoClock.getAsLong();
    }

    public synchronized Decision tryAcquire() {
        if (config.perSecond() == 0) {
            return GRANTED;
        }
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        // A clock that goes backwards (it should not: monotonic) refills nothing rather than draining.
        if (elapsed > 0) {
            tokens = Math.min(config.burst(), tokens + elapsed * config.perSecond() / NANOS_PER_SECOND);
            lastRefill = now;
        }
        if (tokens >= 1 - EPSILON) {
            tokens = Math.max(0, tokens - 1);
            return GRANTED;
        }
        double waitNanos = (1 - tokens) * NANOS_PER_SECOND / config.perSecond();
        long waitMillis = (long) Math.ceil(waitNanos / 1e6);
        return new Denied(Duration.ofMillis(Math.max(1, waitMillis)));
    }
}
