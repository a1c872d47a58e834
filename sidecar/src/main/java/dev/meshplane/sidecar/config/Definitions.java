package dev.meshplane.sidecar.config;

import dev.meshplane.proto.v1.CheckDefinition;
import java.util.List;

/**
 * Everything a set of definition files declares: services (with their checks) and node-level
 * checks, each with its origin.
 */
public record Definitions(List<ServiceDefinition> services, List<Located<CheckDefinition>> checks, int files) {
    public record Located<T>(String origin, T value) {}

    public Definitions {
        services = List.copyOf(services);
        checks = List.copyOf(checks);
    }

    public static final Definitions EMPTY = new Definitions(List.of(), List.of(), 0);
}
