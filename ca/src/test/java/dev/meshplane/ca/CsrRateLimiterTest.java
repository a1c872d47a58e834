package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CsrRateLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    private CsrRateLimiter limiter(double perSecond, int burst) {
        return new CsrRateLimiter(new CsrRateLimiter.Config(perSecond, burst), nanos::get);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void defaultsAreFiftyPerSecondWithOneSecondOfBurst() {
        assertEquals(new CsrRateLimiter.Config(50, 50), CsrRateLimiter.Config.DEFAULTS);
    }

    @Test
    void grantsTheBurstThenRefusesWithTheTimeUntilTheNextToken() {
        CsrRateLimiter limiter = limiter(50, 50);
        for (int i = 0; i < 50; i++) {
            assertTrue(limiter.tryAcquire().granted(), "request " + i + " of the burst");
        }
        CsrRateLimiter.Decision refused = limiter.tryAcquire();
        assertEquals(new CsrRateLimiter.Denied(Duration.ofMillis(20)), refused);

        advance(Duration.ofMillis(5));
        assertEquals(new CsrRateLimiter.Denied(Duration.ofMillis(15)), limiter.tryAcquire());
        advance(Duration.ofMillis(15));
        assertTrue(limiter.tryAcquire().granted(), "waiting the advised time earns a token");
        assertFalse(limiter.tryAcquire().granted());
    }

    @Test
    void sustainsExactlyTheConfiguredRate() {
        CsrRateLimiter limiter = limiter(50, 50);
        for (int i = 0; i < 50; i++) {
            limiter.tryAcquire();
        }
        int granted = 0;
        // Ten seconds of requests every millisecond: the rate, not the offered load, decides.
        for (int ms = 0; ms < 10_000; ms++) {
            advance(Duration.ofMillis(1));
            if (limiter.tryAcquire().granted()) {
                granted++;
            }
        }
        assertEquals(500, granted);
    }

    @Test
    void refillIsCappedAtTheBurst() {
        CsrRateLimiter limiter = limiter(10, 3);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire().granted());
        }
        advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire().granted());
        }
        assertEquals(new CsrRateLimiter.Denied(Duration.ofMillis(100)), limiter.tryAcquire());
    }

    @Test
    void fractionalRatesRoundTheRetryUp() {
        CsrRateLimiter limiter = limiter(0.3, 1);
        assertTrue(limiter.tryAcquire().granted());
        assertEquals(new CsrRateLimiter.Denied(Duration.ofMillis(3334)), limiter.tryAcquire());
    }

    @Test
    void aClockGoingBackwardsGrantsNothingExtra() {
        CsrRateLimiter limiter = limiter(1, 1);
        assertTrue(limiter.tryAcquire().granted());
        advance(Duration.ofSeconds(-30));
        assertFalse(limiter.tryAcquire().granted());
        advance(Duration.ofSeconds(30));
        assertFalse(limiter.tryAcquire().granted(), "the lost time is not credited twice");
        advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire().granted());
    }

    @Test
    void zeroTurnsTheLimitOff() {
        CsrRateLimiter limiter = limiter(0, 1);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(limiter.tryAcquire().granted());
        }
    }

    @Test
    void configRefusesBadValues() {
        assertEquals("perSecond -1.0 must be a finite number >= 0", assertThrows(IllegalArgumentException.class,
                () -> new CsrRateLimiter.Config(-1, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CsrRateLimiter.Config(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new CsrRateLimiter.Config(Double.POSITIVE_INFINITY, 1));
        assertEquals("burst 0 must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> new CsrRateLimiter.Config(50, 0)).getMessage());
    }
}
