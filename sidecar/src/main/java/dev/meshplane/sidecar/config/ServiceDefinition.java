package dev.meshplane.sidecar.config;

import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.Service;
import java.util.List;

/**
 * A service as a definition file describes it, before the agent's validation and defaults.
 *
 * @param origin where it came from, for error messages ("web.json: services[1]")
 */
public record ServiceDefinition(String origin, Service service, List<CheckDefinition> checks) {
    public ServiceDefinition {
        checks = List.copyOf(checks);
    }
}
