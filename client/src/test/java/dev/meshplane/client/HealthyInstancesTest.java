package dev.meshplane.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthEvent;
import dev.meshplane.proto.v1.WatchEvent;
import io.grpc.EquivalentAddressGroup;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthyInstancesTest {
    private static ServiceEntry entry(String id, String address, int port, HealthStatus s) {
        return ServiceEntry.newBuilder().setNode(Node.newBuilder().setName("n1").setAddress("127.0.0.9"))
                .setService(Service.newBuilder().setName("web").setId(id).setAddress(address).setPort(port))
                .setAggregatedStatus(s).build();
    }

    private static WatchEvent event(WatchEvent.Kind kind, List<ServiceEntry> up, List<String> removed) {
        ServiceHealthEvent.Builder h = ServiceHealthEvent.newBuilder().addAllUpserted(up);
        removed.forEach(id -> h.addRemoved(InstanceRef.newBuilder().setNode("n1").setServiceId(id)));
        return WatchEvent.newBuilder().setKind(kind).setServiceHealth(h).build();
    }

    private static List<Integer> ports(HealthyInstances h) {
        return h.addresses().getValue().stream().map(EquivalentAddressGroup::getAddresses)
                .map(a -> ((InetSocketAddress) a.get(0)).getPort()).toList();
    }

    @Test
    void snapshotThenDeltasKeepOnlyHealthyInstances() {
        HealthyInstances h = new HealthyInstances("web", true);
        h.apply(event(WatchEvent.Kind.SNAPSHOT, List.of(entry("a", "127.0.0.1", 1, HealthStatus.HEALTH_STATUS_PASSING),
                entry("b", "", 2, HealthStatus.HEALTH_STATUS_WARNING),
                entry("c", "127.0.0.1", 3, HealthStatus.HEALTH_STATUS_CRITICAL)), List.of()));
        assertEquals(List.of(1, 2), ports(h));
        assertEquals("127.0.0.9", ((InetSocketAddress) h.addresses().getValue().get(1).getAddresses().get(0))
                .getHostString(), "an empty service address means the node's");
        h.apply(event(WatchEvent.Kind.DELTA, List.of(entry("c", "127.0.0.1", 3, HealthStatus.HEALTH_STATUS_PASSING)),
                List.of("a")));
        assertEquals(List.of(2, 3), ports(h));
        h.apply(event(WatchEvent.Kind.SNAPSHOT, List.of(entry("d", "127.0.0.1", 4, HealthStatus.HEALTH_STATUS_PASSING)),
                List.of()));
        assertEquals(List.of(4), ports(h), "a snapshot replaces everything");
    }

    @Test
    void noHealthyInstanceIsAClearError() {
        HealthyInstances h = new HealthyInstances("web", false);
        assertEquals("service web has no registered instance", h.addresses().getStatus().getDescription());
        h.apply(event(WatchEvent.Kind.SNAPSHOT, List.of(entry("b", "", 2, HealthStatus.HEALTH_STATUS_WARNING)), List.of()));
        assertFalse(h.addresses().hasValue());
        assertEquals("service web has no healthy instance (1 registered)", h.addresses().getStatus().getDescription());
    }
}
