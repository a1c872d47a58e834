package dev.meshplane.sidecar.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import java.util.EnumMap;
import java.util.Map;

/**
 * One service's four resources, packed (and so encoded) once and shared by every stream that
 * subscribes to them. A resource that did not change keeps the very same {@link Any} instance from
 * one computation to the next: streams compare by identity to know what to push. {@link #ABSENT}
 * stands for a name that cannot be a service (or whose watch the servers refused): it does not exist.
 */
final class ServiceResources {
    static final ServiceResources ABSENT = new ServiceResources(new EnumMap<>(ResourceType.class));

    private final EnumMap<ResourceType, Any> resources;

    private ServiceResources(EnumMap<ResourceType, Any> resources) {
        this.resources = resources;
    }

    /** The resources of a service that exists, reusing every resource of {@code previous} that is unchanged. */
    static ServiceResources of(Map<ResourceType, Message> built, ServiceResources previous) {
        EnumMap<ResourceType, Any> packed = new EnumMap<>(ResourceType.class);
        for (Map.Entry<ResourceType, Message> e : built.entrySet()) {
            Any old = previous == null ? null : previous.resources.get(e.getKey());
            // Deterministic serialization of equal messages gives equal bytes: compare the encoding.
            Any fresh = Any.pack(e.getValue());
            packed.put(e.getKey(), old != null && old.equals(fresh) ? old : fresh);
        }
        return new ServiceResources(packed);
    }

    /** The resource of a type, or null when the service does not exist. */
    Any get(ResourceType type) {
        return resources.get(type);
    }

    boolean exists() {
        return !resources.isEmpty();
    }

    /** Whether every resource is the same instance as in {@code other}. */
    boolean sameAs(ServiceResources other) {
        if (other == null || other.resources.size() != resources.size()) {
            return false;
        }
        for (Map.Entry<ResourceType, Any> e : resources.entrySet()) {
            if (other.resources.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
