package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.HealthStatus;
import java.util.Optional;

/** This agent's view of a local service's health, for alias checks that mirror it. */
public interface LocalHealth {
    /**
     * The worst status among the node's checks and the service's checks, leaving out
     * {@code excludingCheckId} (the alias itself); passing when there are none; empty when the
     * service is not registered with this agent.
     */
    Optional<HealthStatus> serviceHealth(String serviceId, String excludingCheckId);
}
