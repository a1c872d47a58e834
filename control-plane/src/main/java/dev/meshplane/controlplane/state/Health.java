package dev.meshplane.controlplane.state;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;

/** How check states combine into an instance's health. */
public final class Health {
    private Health() {}

    /** Worst first: maintenance and critical exclude an instance, warning degrades it. */
    static int severity(HealthStatus status) {
        return switch (status) {
            case HEALTH_STATUS_PASSING -> 0;
            case HEALTH_STATUS_WARNING -> 1;
            case HEALTH_STATUS_CRITICAL -> 2;
            case HEALTH_STATUS_MAINTENANCE -> 3;
            case HEALTH_STATUS_UNSPECIFIED, UNRECOGNIZED -> 2;
        };
    }

    /** Critical or in maintenance: sessions relying on such a check are invalidated. */
    static boolean isFailing(HealthStatus status) {
        return severity(status) >= 2;
    }

    /** The worst status among the checks; passing when there are none. */
    public static HealthStatus aggregate(Iterable<Check> checks) {
        HealthStatus worst = HealthStatus.HEALTH_STATUS_PASSING;
        for (Check c : checks) {
            if (severity(c.getStatus()) > severity(worst)) {
                worst = c.getStatus();
            }
        }
        return worst;
    }
}
