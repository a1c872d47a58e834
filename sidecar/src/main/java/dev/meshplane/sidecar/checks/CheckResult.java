package dev.meshplane.sidecar.checks;

import dev.meshplane.api.CheckRules;
import dev.meshplane.proto.v1.HealthStatus;

/** What one run of a check observed; the output is cut to the catalog's limit. */
public record CheckResult(HealthStatus status, String output) {
    public CheckResult {
        if (status == null || status == HealthStatus.HEALTH_STATUS_UNSPECIFIED || status == HealthStatus.UNRECOGNIZED) {
            throw new IllegalArgumentException("a check result needs a status, not " + status);
        }
        output = bound(output == null ? "" : output);
    }

    static CheckResult passing(String output) {
        return new CheckResult(HealthStatus.HEALTH_STATUS_PASSING, output);
    }

    static CheckResult warning(String output) {
        return new CheckResult(HealthStatus.HEALTH_STATUS_WARNING, output);
    }

    static CheckResult critical(String output) {
        return new CheckResult(HealthStatus.HEALTH_STATUS_CRITICAL, output);
    }

    /** Keeps the first 4,096 characters, marking the cut, as the catalog accepts no more. */
    public static String bound(String output) {
        int max = CheckRules.MAX_OUTPUT_LENGTH;
        if (output.length() <= max) {
            return output;
        }
        String marker = " ... (truncated)";
        return output.substring(0, max - marker.length()) + marker;
    }
}
