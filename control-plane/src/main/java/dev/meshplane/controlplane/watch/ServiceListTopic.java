package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.proto.v1.ServiceListEvent;
import dev.meshplane.proto.v1.ServiceSummary;
import dev.meshplane.proto.v1.WatchEvent;
import java.util.List;

/**
 * The list of services. Lists are small and change rarely, so every event carries the whole
 * list and is marked SNAPSHOT.
 */
final class ServiceListTopic extends Topic {
    private final StateQueries queries;
    private List<ServiceSummary> current;

    ServiceListTopic(StateQueries queries) {
        this.queries = queries;
        this.current = queries.services().value();
    }

    @Override
    protected void reload() {
        current = queries.services().value();
    }

    @Override
    protected WatchEvent buildSnapshot(long index) {
        return event(index);
    }

    @Override
    protected WatchEvent applyChanges(long index, Changes changes) {
        if (!changes.serviceListChanged()) {
            return null;
        }
        List<ServiceSummary> now = queries.services().value();
        if (now.equals(current)) {
            return null;
        }
        current = now;
        return event(index);
    }

    private WatchEvent event(long index) {
        return WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.SNAPSHOT)
                .setServiceList(ServiceListEvent.newBuilder().addAllServices(current)).build();
    }
}
