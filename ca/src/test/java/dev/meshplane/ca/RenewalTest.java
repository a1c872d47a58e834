package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RenewalTest {
    private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant END = START.plus(Duration.ofHours(72));

    @Test
    void renewalFallsBetweenSixtyAndNinetyPercentAndSpreadsOverTheWindow() {
        long seed = 0x5eed_cafeL;
        SplittableRandom random = new SplittableRandom(seed);
        Instant earliest = START.plus(Duration.ofMinutes(72 * 60 * 6 / 10));
        Instant latest = START.plus(Duration.ofMinutes(72 * 60 * 9 / 10));
        int[] buckets = new int[10];
        for (int i = 0; i < 10_000; i++) {
            Instant at = Renewal.renewAt(START, END, random);
            assertTrue(!at.isBefore(earliest) && !at.isAfter(latest), "seed " + seed + ": " + at);
            buckets[(int) (Duration.between(earliest, at).toNanos() * 10 / Duration.between(earliest, latest).toNanos())
                    % 10]++;
        }
        for (int i = 0; i < 10; i++) {
            assertTrue(buckets[i] > 800 && buckets[i] < 1200, "seed " + seed + ": tenth " + i + " got " + buckets[i]);
        }
    }

    @Test
    void theExtremesOfTheRandomSourceMapToTheBounds() {
        assertEquals(START.plus(Duration.ofMinutes(2592)), Renewal.renewAt(START, END, fixed(0.0)));
        Instant nearTop = Renewal.renewAt(START, END, fixed(Math.nextDown(1.0)));
        assertEquals(START.plus(Duration.ofMinutes(3888)).getEpochSecond(), nearTop.getEpochSecond());
    }

    @Test
    void sameSeedSameSchedule() {
        assertEquals(Renewal.renewAt(START, END, new SplittableRandom(7)),
                Renewal.renewAt(START, END, new SplittableRandom(7)));
    }

    @Test
    void worksFromAnIssuedLeaf() {
        IssuedLeaf leaf = new IssuedLeaf("01", "", "web", "spiffe://td/ns/default/dc/dc1/svc/web", START, END);
        assertEquals(Renewal.renewAt(START, END, fixed(0.5)), Renewal.renewAt(leaf, fixed(0.5)));
        assertEquals(START.plus(Duration.ofMinutes(72 * 60 * 3 / 4)), Renewal.renewAt(leaf, fixed(0.5)));
    }

    @Test
    void refusesAnEmptyLifetime() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Renewal.renewAt(END, START, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("validBefore must be after validAfter"), e.getMessage());
    }

    private static java.util.random.RandomGenerator fixed(double value) {
        return new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
