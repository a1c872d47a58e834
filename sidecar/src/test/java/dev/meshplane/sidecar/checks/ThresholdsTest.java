package dev.meshplane.sidecar.checks;

import static dev.meshplane.proto.v1.HealthStatus.HEALTH_STATUS_CRITICAL;
import static dev.meshplane.proto.v1.HealthStatus.HEALTH_STATUS_PASSING;
import static dev.meshplane.proto.v1.HealthStatus.HEALTH_STATUS_WARNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ThresholdsTest {
    @Test
    void zeroThresholdsRecordEveryResult() {
        Thresholds t = new Thresholds(0, 0, 0);
        assertEquals(HEALTH_STATUS_PASSING, t.observe(HEALTH_STATUS_PASSING));
        assertEquals(HEALTH_STATUS_CRITICAL, t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_WARNING, t.observe(HEALTH_STATUS_WARNING));
    }

    @Test
    void successBeforePassingNeedsThatManyInARow() {
        Thresholds t = new Thresholds(3, 0, 0);
        assertNull(t.observe(HEALTH_STATUS_PASSING));
        assertNull(t.observe(HEALTH_STATUS_PASSING));
        assertEquals(HEALTH_STATUS_CRITICAL, t.observe(HEALTH_STATUS_CRITICAL), "a failure resets the run");
        assertNull(t.observe(HEALTH_STATUS_PASSING));
        assertNull(t.observe(HEALTH_STATUS_PASSING));
        assertEquals(HEALTH_STATUS_PASSING, t.observe(HEALTH_STATUS_PASSING));
    }

    @Test
    void alternatingResultsNeverReachCriticalWithFailuresBeforeCritical3() {
        Thresholds t = new Thresholds(0, 0, 3);
        for (int i = 0; i < 50; i++) {
            assertEquals(HEALTH_STATUS_PASSING, t.observe(HEALTH_STATUS_PASSING));
            assertNull(t.observe(HEALTH_STATUS_CRITICAL), "run " + i);
        }
    }

    @Test
    void failuresGoWarningThenCritical() {
        Thresholds t = new Thresholds(0, 2, 4);
        assertNull(t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_WARNING, t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_WARNING, t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_CRITICAL, t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_PASSING, t.observe(HEALTH_STATUS_PASSING));
    }

    @Test
    void unsetWarningThresholdFollowsTheCriticalOne() {
        Thresholds t = new Thresholds(0, 0, 2);
        assertNull(t.observe(HEALTH_STATUS_CRITICAL), "no warning step in between");
        assertEquals(HEALTH_STATUS_CRITICAL, t.observe(HEALTH_STATUS_CRITICAL));
    }

    @Test
    void aWarningResultCountsAsASuccess() {
        Thresholds t = new Thresholds(2, 0, 2);
        assertNull(t.observe(HEALTH_STATUS_CRITICAL));
        assertNull(t.observe(HEALTH_STATUS_WARNING), "resets the failures");
        assertNull(t.observe(HEALTH_STATUS_CRITICAL));
        assertEquals(HEALTH_STATUS_CRITICAL, t.observe(HEALTH_STATUS_CRITICAL));
        assertNull(t.observe(HEALTH_STATUS_WARNING));
        assertEquals(HEALTH_STATUS_WARNING, t.observe(HEALTH_STATUS_WARNING));
    }
}
