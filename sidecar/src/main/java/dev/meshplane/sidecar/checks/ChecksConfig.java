package dev.meshplane.sidecar.checks;

import java.time.Duration;

/**
 * How the agent runs checks. Defaults are Consul's.
 *
 * @param enableScriptChecks whether script checks may be registered (off by default: a script
 *                           check runs any program the registrant names)
 * @param minInterval        shorter intervals are raised to this (Consul: 1 s)
 * @param defaultTimeout     timeout of grpc, http and tcp checks that set none, capped at the
 *                           interval (Consul: 10 s)
 * @param scriptTimeout      timeout of script checks that set none (Consul: 30 s)
 * @param minDeregisterAfter shorter deregister_critical_service_after values are raised to this
 *                           (Consul: 1 min)
 * @param timeoutGrace       how long past its timeout a run may take before the runner calls it
 *                           critical and interrupts it, for probes whose own timeout failed
 */
public record ChecksConfig(boolean enableScriptChecks, Duration minInterval, Duration defaultTimeout,
                           Duration scriptTimeout, Duration minDeregisterAfter, Duration timeoutGrace) {
    public static final ChecksConfig DEFAULTS = new ChecksConfig(false, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofSeconds(2));

    public ChecksConfig {
        positive("minInterval", minInterval);
        positive("defaultTimeout", defaultTimeout);
        positive("scriptTimeout", scriptTimeout);
        positive("minDeregisterAfter", minDeregisterAfter);
        positive("timeoutGrace", timeoutGrace);
    }

    public ChecksConfig withScriptChecks(boolean enabled) {
        return new ChecksConfig(enabled, minInterval, defaultTimeout, scriptTimeout, minDeregisterAfter, timeoutGrace);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " " + d + " must be positive");
        }
    }
}
