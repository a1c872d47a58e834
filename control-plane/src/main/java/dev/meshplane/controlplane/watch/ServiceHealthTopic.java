package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.InstanceKey;
import dev.meshplane.controlplane.state.ServiceFilter;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.proto.v1.InstanceRef;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthEvent;
import dev.meshplane.proto.v1.WatchEvent;
import java.util.Optional;
import java.util.TreeMap;

/** The instances of one service (with checks) that pass a filter. */
final class ServiceHealthTopic extends Topic {
    /** Identity of the topic: subscribers with equal keys share it. */
    record Key(String service, ServiceFilter filter) {}

    private final Key key;
    private final StateQueries queries;
    private final TreeMap<InstanceKey, ServiceEntry> current = new TreeMap<>();

    ServiceHealthTopic(Key key, StateQueries queries) {
        this.key = key;
        this.queries = queries;
        reload();
    }

    @Override
    protected void reload() {
        current.clear();
        for (ServiceEntry e : queries.serviceEntries(key.service(), key.filter(), true).value()) {
            current.put(new InstanceKey(e.getNode().getName(), e.getService().getId()), e);
        }
    }

    Key key() {
        return key;
    }

    @Override
    protected WatchEvent buildSnapshot(long index) {
        return WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.SNAPSHOT)
                .setServiceHealth(ServiceHealthEvent.newBuilder().addAllUpserted(current.values()))
                .build();
    }

    @Override
    protected WatchEvent applyChanges(long index, Changes changes) {
        ServiceHealthEvent.Builder delta = ServiceHealthEvent.newBuilder();
        for (InstanceKey k : changes.instancesOf(key.service())) {
            Optional<ServiceEntry> now = queries.serviceEntry(k, key.service(), key.filter());
            if (now.isPresent()) {
                current.put(k, now.get());
                delta.addUpserted(now.get());
            } else if (current.remove(k) != null) {
                delta.addRemoved(InstanceRef.newBuilder().setNode(k.node()).setServiceId(k.serviceId()));
            }
        }
        if (delta.getUpsertedCount() == 0 && delta.getRemovedCount() == 0) {
            return null;
        }
        return WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.DELTA).setServiceHealth(delta).build();
    }
}
