package dev.meshplane.controlplane.state;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvListResponse;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceSummary;
import dev.meshplane.proto.v1.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every read of the state store, each returning the index its result reflects. Each method
 * takes the read lock itself; callers that must register interest atomically with the read
 * wrap the call in {@link StateStore#read}.
 */
public final class StateQueries {
    private final StateStore store;

    public StateQueries(StateStore store) {
        this.store = store;
    }

    /** Every service name with the union of its instances' tags, sorted by name. */
    public Indexed<List<ServiceSummary>> services() {
        return store.read(() -> {
            CatalogTable c = store.tables().catalog;
            TreeMap<String, ServiceSummary> byName = new TreeMap<>();
            for (String name : c.serviceNames()) {
                TreeSet<String> tags = new TreeSet<>();
                int count = 0;
                for (InstanceKey k : c.instancesOf(name)) {
                    tags.addAll(c.service(k).getTagsList());
                    count++;
                }
                byName.put(name, ServiceSummary.newBuilder().setName(name).addAllTags(tags).setInstances(count).build());
            }
            return new Indexed<>(List.copyOf(byName.values()), c.servicesIndex());
        });
    }

    /** Instances of one service matching the filter, in node/ID order, with or without their checks. */
    public Indexed<List<ServiceEntry>> serviceEntries(String service, ServiceFilter filter, boolean withChecks) {
        return store.read(() -> {
            CatalogTable c = store.tables().catalog;
            List<ServiceEntry> out = new ArrayList<>();
            for (InstanceKey k : c.instancesOf(service)) {
                ServiceEntry e = c.entry(k);
                if (e != null && filter.matches(e)) {
                    out.add(withChecks ? e : e.toBuilder().clearChecks().build());
                }
            }
            return new Indexed<>(out, c.serviceNameIndex(service));
        });
    }

    /** One instance's entry if it exists and matches, for watch deltas. */
    public Optional<ServiceEntry> serviceEntry(InstanceKey key, String service, ServiceFilter filter) {
        return store.read(() -> {
            ServiceEntry e = store.tables().catalog.entry(key);
            if (e == null || !e.getService().getName().equals(service) || !filter.matches(e)) {
                return Optional.empty();
            }
            return Optional.of(e);
        });
    }

    public Indexed<List<Node>> nodes(Map<String, String> nodeMeta) {
        return store.read(() -> {
            List<Node> out = new ArrayList<>();
            for (Node n : store.tables().catalog.nodes()) {
                if (hasMeta(n, nodeMeta)) {
                    out.add(n);
                }
            }
            return new Indexed<>(out, store.tables().catalog.nodesIndex());
        });
    }

    /** The node with its services and checks; empty if the node is not registered. */
    public Indexed<Optional<GetNodeResponse>> node(String name) {
        return store.read(() -> {
            CatalogTable c = store.tables().catalog;
            Node node = c.node(name);
            Optional<GetNodeResponse> result = node == null ? Optional.empty()
                    : Optional.of(GetNodeResponse.newBuilder().setNode(node)
                            .addAllServices(c.servicesOn(name).values())
                            .addAllChecks(c.checksOn(name)).build());
            return new Indexed<>(result, c.nodeNameIndex(name));
        });
    }

    public Indexed<Optional<KvEntry>> kvGet(String key) {
        return store.read(() -> new Indexed<>(Optional.ofNullable(store.tables().kv.get(key)), store.tables().kv.keyIndex(key)));
    }

    /**
     * Entries under a prefix, or only their keys; with a separator, keys are rolled up to the
     * first separator after the prefix, like directories.
     */
    public Indexed<KvListResponse> kvList(String prefix, boolean keysOnly, String separator) {
        return store.read(() -> {
            KvListResponse.Builder out = KvListResponse.newBuilder();
            var entries = store.tables().kv.prefix(prefix);
            if (!keysOnly) {
                out.addAllEntries(entries.values());
            } else {
                String last = null;
                for (String key : entries.keySet()) {
                    String shown = key;
                    if (!separator.isEmpty()) {
                        int at = key.indexOf(separator, prefix.length());
                        if (at >= 0) {
                            shown = key.substring(0, at + separator.length());
                        }
                    }
                    if (!shown.equals(last)) {
                        out.addKeys(shown);
                        last = shown;
                    }
                }
            }
            return new Indexed<>(out.build(), store.tables().kv.prefixIndex(prefix));
        });
    }

    /** Checks in a state (any state when unspecified), by node then check ID. */
    public Indexed<List<Check>> checksInState(HealthStatus state) {
        return store.read(() -> {
            CatalogTable c = store.tables().catalog;
            List<Check> out = new ArrayList<>();
            for (var checks : c.allChecks().values()) {
                for (Check check : checks) {
                    if (state == HealthStatus.HEALTH_STATUS_UNSPECIFIED || check.getStatus() == state) {
                        out.add(check);
                    }
                }
            }
            return new Indexed<>(out, c.checksIndex());
        });
    }

    public Indexed<Optional<Session>> session(String id) {
        return store.read(() -> new Indexed<>(Optional.ofNullable(store.tables().sessions.get(id)),
                store.tables().sessions.tableIndex()));
    }

    /** Sessions sorted by ID; only those of {@code node} when it is not empty. */
    public Indexed<List<Session>> sessions(String node) {
        return store.read(() -> {
            List<Session> out = new ArrayList<>();
            for (Session s : store.tables().sessions.all()) {
                if (node.isEmpty() || s.getNode().equals(node)) {
                    out.add(s);
                }
            }
            return new Indexed<>(out, store.tables().sessions.tableIndex());
        });
    }

    public long lastIndex() {
        return store.lastIndex();
    }

    private static boolean hasMeta(Node node, Map<String, String> want) {
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (!e.getValue().equals(node.getMetaMap().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
