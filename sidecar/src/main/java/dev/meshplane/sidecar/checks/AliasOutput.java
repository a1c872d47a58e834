package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.HealthStatus;

final class AliasOutput {
    private AliasOutput() {}

    static String of(String target, HealthStatus status) {
        return switch (status) {
            case HEALTH_STATUS_PASSING -> "alias of " + target + ": all checks passing";
            case HEALTH_STATUS_WARNING -> "alias of " + target + ": a check is warning";
            default -> "alias of " + target + ": a check is critical";
        };
    }

    /** An alias reports maintenance of its target as critical, as Consul does. */
    static HealthStatus mirror(HealthStatus s) {
        return s == HealthStatus.HEALTH_STATUS_MAINTENANCE ? HealthStatus.HEALTH_STATUS_CRITICAL : s;
    }

    /** Worst first: critical (and maintenance) over warning over passing. */
    static HealthStatus worse(HealthStatus a, HealthStatus b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(HealthStatus s) {
        return switch (s) {
            case HEALTH_STATUS_PASSING -> 0;
            case HEALTH_STATUS_WARNING -> 1;
            case HEALTH_STATUS_MAINTENANCE -> 3;
            default -> 2;
        };
    }
}
