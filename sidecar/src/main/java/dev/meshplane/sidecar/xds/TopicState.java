package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthEvent;
import dev.meshplane.proto.v1.ServiceListEvent;
import dev.meshplane.proto.v1.WatchEvent;
import java.util.List;
import java.util.TreeMap;

/**
 * The result of one watch topic as the servers last described it, rebuilt from their snapshot and
 * deltas, so that a late local subscriber can be handed a snapshot without asking the servers.
 * Not thread-safe: its {@link SharedTopic} guards it.
 */
final class TopicState {
    /** Instances by node and service ID, the order the servers sort them in. */
    private final TreeMap<String, ServiceEntry> instances = new TreeMap<>();
    private ServiceListEvent serviceList = ServiceListEvent.getDefaultInstance();
    private long index;
    private boolean known;

    void apply(WatchEvent event) {
        switch (event.getResultCase()) {
            case SERVICE_HEALTH -> {
                ServiceHealthEvent h = event.getServiceHealth();
                if (event.getKind() == WatchEvent.Kind.SNAPSHOT) {
                    instances.clear();
                }
                for (InstanceRef r : h.getRemovedList()) {
                    instances.remove(key(r.getNode(), r.getServiceId()));
                }
                for (ServiceEntry e : h.getUpsertedList()) {
                    instances.put(key(e.getNode().getName(), e.getService().getId()), e);
                }
            }
            // The servers always send the whole list.
            case SERVICE_LIST -> serviceList = event.getServiceList();
            default -> throw new IllegalArgumentException("a shared topic carries service health or the service list, not "
                    + event.getResultCase());
        }
        index = event.getIndex();
        known = true;
    }

    /** Whether a snapshot from the servers has arrived. */
    boolean known() {
        return known;
    }

    long index() {
        return index;
    }

    List<ServiceEntry> instances() {
        return List.copyOf(instances.values());
    }

    /** The whole result as one SNAPSHOT event of the topic's kind. */
    WatchEvent snapshot(boolean serviceHealthTopic) {
        WatchEvent.Builder b = WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.SNAPSHOT);
        if (serviceHealthTopic) {
            b.setServiceHealth(ServiceHealthEvent.newBuilder().addAllUpserted(instances.values()));
        } else {
            b.setServiceList(serviceList);
        }
        return b.build();
    }

    private static String key(String node, String serviceId) {
        // '\0' cannot occur in names or IDs, so the pair sorts by node first.
        return node + '\0' + serviceId;
    }
}
