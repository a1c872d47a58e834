package dev.meshplane.controlplane.state;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceEntry;
import java.util.List;
import java.util.Map;

/** Which instances of a service a query or watch wants. */
public record ServiceFilter(List<String> tags, Map<String, String> nodeMeta, boolean passingOnly) {
    public static final ServiceFilter ALL = new ServiceFilter(List.of(), Map.of(), false);

    public ServiceFilter {
        tags = List.copyOf(tags);
        nodeMeta = Map.copyOf(nodeMeta);
    }

    public boolean matches(ServiceEntry entry) {
        if (!entry.getService().getTagsList().containsAll(tags)) {
            return false;
        }
        Map<String, String> meta = entry.getNode().getMetaMap();
        for (Map.Entry<String, String> want : nodeMeta.entrySet()) {
            if (!want.getValue().equals(meta.get(want.getKey()))) {
                return false;
            }
        }
        if (passingOnly) {
            for (Check c : entry.getChecksList()) {
                if (c.getStatus() != HealthStatus.HEALTH_STATUS_PASSING) {
                    return false;
                }
            }
        }
        return true;
    }
}
