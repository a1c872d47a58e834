package dev.meshplane.controlplane.state;

import dev.meshplane.proto.internal.v1.CaState;
import dev.meshplane.proto.v1.Intention;
import java.util.List;
import java.util.Optional;

/**
 * Reads of the CA and intention tables, each with the index it reflects. The CA state includes
 * the root's private key: only server code may see it; RPCs answer with its public parts.
 */
public final class ConnectQueries {
    private final StateStore store;

    public ConnectQueries(StateStore store) {
        this.store = store;
    }

    public Indexed<Optional<CaState>> caState() {
        return store.read(() -> new Indexed<>(Optional.ofNullable(store.tables().ca.state()),
                store.tables().ca.tableIndex()));
    }

    /** Every intention, in (source, destination) order. */
    public Indexed<List<Intention>> intentions() {
        return store.read(() -> new Indexed<>(List.copyOf(store.tables().intentions.all()),
                store.tables().intentions.tableIndex()));
    }

    public Indexed<Optional<Intention>> intention(String source, String destination) {
        return store.read(() -> new Indexed<>(Optional.ofNullable(store.tables().intentions.get(source, destination)),
                store.tables().intentions.tableIndex()));
    }

    /** Whether a service of that name is registered on the node. */
    public boolean serviceOnNode(String node, String serviceName) {
        return store.read(() -> store.tables().catalog.servicesOn(node).values().stream()
                .anyMatch(s -> s.getName().equals(serviceName)));
    }
}
