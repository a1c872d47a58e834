package dev.meshplane.client;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.WatchEvent;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A service's instances as the sidecar's Watch stream describes them (a SNAPSHOT, then DELTAs),
 * and the addresses of those that may take calls: passing ones, and warning ones when asked.
 * Not thread-safe: the resolver feeds it from one stream.
 */
final class HealthyInstances {
    private final String service;
    private final boolean includeWarning;
    private final TreeMap<String, ServiceEntry> instances = new TreeMap<>();

    HealthyInstances(String service, boolean includeWarning) {
        this.service = service;
        this.includeWarning = includeWarning;
    }

    void apply(WatchEvent event) {
        if (event.getKind() == WatchEvent.Kind.SNAPSHOT) {
            instances.clear();
        }
        for (InstanceRef r : event.getServiceHealth().getRemovedList()) {
            instances.remove(r.getNode() + '\0' + r.getServiceId());
        }
        for (ServiceEntry e : event.getServiceHealth().getUpsertedList()) {
            instances.put(e.getNode().getName() + '\0' + e.getService().getId(), e);
        }
    }

    /** One address group per healthy instance, or UNAVAILABLE naming why there is none. */
    StatusOr<List<EquivalentAddressGroup>> addresses() {
        List<EquivalentAddressGroup> out = new ArrayList<>();
        for (ServiceEntry e : instances.values()) {
            HealthStatus s = e.getAggregatedStatus();
            boolean serves = s == HealthStatus.HEALTH_STATUS_PASSING || s == HealthStatus.HEALTH_STATUS_UNSPECIFIED
                    || (includeWarning && s == HealthStatus.HEALTH_STATUS_WARNING);
            if (!serves || e.getService().getPort() <= 0) {
                continue;
            }
            String host = e.getService().getAddress().isEmpty() ? e.getNode().getAddress() : e.getService().getAddress();
            out.add(new EquivalentAddressGroup(new InetSocketAddress(host, e.getService().getPort())));
        }
        if (!out.isEmpty()) {
            return StatusOr.fromValue(out);
        }
        return StatusOr.fromStatus(Status.UNAVAILABLE.withDescription(instances.isEmpty()
                ? "service " + service + " has no registered instance"
                : "service " + service + " has no healthy instance (" + instances.size() + " registered)"));
    }
}
