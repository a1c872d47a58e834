package dev.meshplane.sidecar.agent;

import dev.meshplane.proto.v1.Service;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** The services registered with this agent, by ID: the agent's authoritative view of its node. */
final class LocalServices {
    private final ConcurrentSkipListMap<String, Service> byId = new ConcurrentSkipListMap<>();

    void put(Service service) {
        byId.put(service.getId(), service);
    }

    Optional<Service> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    void remove(String id) {
        byId.remove(id);
    }

    /** Sorted by ID. */
    List<Service> all() {
        return List.copyOf(byId.values());
    }
}
