package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.HealthStatus;

/**
 * Consul's status handler: consecutive results must agree before the recorded status moves.
 * A passing or warning result is a success; after {@code successBeforePassing} of them in a
 * row it is recorded. A critical result is a failure; after {@code failuresBeforeWarning} in a
 * row the check turns warning, after {@code failuresBeforeCritical} critical. A zero threshold
 * means the first result counts. Not thread-safe: one check's results arrive one at a time.
 */
final class Thresholds {
    private final int successBeforePassing;
    private final int failuresBeforeWarning;
    private final int failuresBeforeCritical;
    private int successes;
    private int failures;

    Thresholds(int successBeforePassing, int failuresBeforeWarning, int failuresBeforeCritical) {
        this.successBeforePassing = successBeforePassing;
        this.failuresBeforeCritical = failuresBeforeCritical;
        // Consul: an unset warning threshold follows the critical one.
        this.failuresBeforeWarning = failuresBeforeWarning == 0 ? failuresBeforeCritical : failuresBeforeWarning;
    }

    /** Returns the status to record for this result, or null when it does not move the check yet. */
    HealthStatus observe(HealthStatus result) {
        if (result == HealthStatus.HEALTH_STATUS_PASSING || result == HealthStatus.HEALTH_STATUS_WARNING) {
            successes++;
            failures = 0;
            return successes >= successBeforePassing ? result : null;
        }
        failures++;
        successes = 0;
        if (failures >= failuresBeforeCritical) {
            return HealthStatus.HEALTH_STATUS_CRITICAL;
        }
        if (failures >= failuresBeforeWarning) {
            return HealthStatus.HEALTH_STATUS_WARNING;
        }
        return null;
    }
}
