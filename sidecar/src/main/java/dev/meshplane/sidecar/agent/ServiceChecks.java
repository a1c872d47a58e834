package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.checks.CheckDefinitions;
import dev.meshplane.sidecar.checks.ChecksConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The checks given with a service, with Consul's defaults: IDs "service:ID" (or "service:ID:N"), names, owner. */
final class ServiceChecks {
    private ServiceChecks() {}

    static List<CheckDefinition> normalize(String path, Service service, List<CheckDefinition> given,
                                           ChecksConfig config) {
        List<CheckDefinition> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String p = path + "[" + i + "]";
            CheckDefinition def = given.get(i);
            if (!def.getServiceId().isEmpty() && !def.getServiceId().equals(service.getId())) {
                throw ApiException.invalidArgument(p + ".service_id", "\"" + def.getServiceId()
                        + "\" differs from the service being registered, \"" + service.getId() + "\"");
            }
            CheckDefinition.Builder b = def.toBuilder().setServiceId(service.getId());
            if (def.getId().isEmpty()) {
                b.setId(given.size() == 1 ? "service:" + service.getId() : "service:" + service.getId() + ":" + (i + 1));
            }
            if (def.getName().isEmpty()) {
                b.setName("Service '" + service.getName() + "' check");
            }
            CheckDefinition normalized = CheckDefinitions.normalize(p, b.build(), config);
            if (!ids.add(normalized.getId())) {
                throw ApiException.invalidArgument(p + ".id", "\"" + normalized.getId() + "\" is listed twice");
            }
            out.add(normalized);
        }
        return out;
    }
}
