package dev.meshplane.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesGoSyntax() {
        assertEquals(Duration.ofSeconds(10), GoDuration.parse("10s"));
        assertEquals(Duration.ofMinutes(5), GoDuration.parse("5m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
        assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5us"));
        assertEquals(Duration.ofNanos(7), GoDuration.parse("7ns"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofSeconds(-2), GoDuration.parse("-2s"));
    }

    @Test
    void rejectsWhatGoRejectsWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10")).getMessage()
                .contains("missing unit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10d")).getMessage()
                .contains("unknown unit \"d\""));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1..2s"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("9999999999h"));
    }

    @Test
    void formatsLikeGo() {
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("10s", GoDuration.format(Duration.ofSeconds(10)));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("24h0m0s", GoDuration.format(Duration.ofHours(24)));
    }
}
