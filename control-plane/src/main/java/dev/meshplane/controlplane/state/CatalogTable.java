package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Nodes, service instances and checks, with the indexes blocking queries need. Not
 * thread-safe: {@link StateStore} serializes writers and readers.
 *
 * <p>A write that changes nothing (same node, service or check as stored) leaves indexes
 * alone, so an agent re-asserting its state does not wake every watcher.
 */
final class CatalogTable {
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Map<String, TreeMap<String, Service>> servicesByNode = new HashMap<>();
    private final Map<String, TreeMap<String, Check>> checksByNode = new HashMap<>();
    private final Map<String, TreeSet<InstanceKey>> instancesByName = new HashMap<>();

    private long nodesIndex;
    private long servicesIndex;
    /** Last index at which anything about a service name (instances, their checks or nodes) changed. */
    private final Map<String, Long> serviceNameIndex = new HashMap<>();
    /** Last index at which a node, its services or its checks changed. */
    private final Map<String, Long> nodeNameIndex = new HashMap<>();

    // ---- writes ----

    ApplyResult register(long index, CatalogRegisterRequest req, Changes changes) {
        String nodeName = req.getNode().getName();
        ApiException invalid = checkRegistration(req);
        if (invalid != null) {
            return new ApplyResult.Rejected(invalid);
        }
        ensureNode(index, req.getNode(), changes);
        if (req.hasService()) {
            ensureService(index, nodeName, req.getService(), changes);
        }
        for (Check check : req.getChecksList()) {
            ensureCheck(index, nodeName, check.toBuilder().setNode(nodeName).build(), changes);
        }
        return ApplyResult.DONE;
    }

    private ApiException checkRegistration(CatalogRegisterRequest req) {
        String nodeName = req.getNode().getName();
        for (int i = 0; i < req.getChecksCount(); i++) {
            Check check = req.getChecks(i);
            if (!check.getNode().isEmpty() && !check.getNode().equals(nodeName)) {
                return ApiException.invalidArgument("checks[" + i + "].node", "\"" + check.getNode()
                        + "\" differs from the registered node \"" + nodeName + "\"");
            }
            String sid = check.getServiceId();
            boolean inRequest = req.hasService() && req.getService().getId().equals(sid);
            if (!sid.isEmpty() && !inRequest && service(new InstanceKey(nodeName, sid)) == null) {
                return ApiException.invalidArgument("checks[" + i + "].service_id", "service \"" + sid
                        + "\" is not registered on node \"" + nodeName + "\"");
            }
        }
        return null;
    }

    private void ensureNode(long index, Node incoming, Changes changes) {
        Node existing = nodes.get(incoming.getName());
        if (existing != null && withoutIndexes(existing).equals(incoming)) {
            return;
        }
        long created = existing == null ? index : existing.getCreateIndex();
        nodes.put(incoming.getName(), incoming.toBuilder().setCreateIndex(created).setModifyIndex(index).build());
        nodesIndex = index;
        nodeNameIndex.put(incoming.getName(), index);
        changes.node(incoming.getName());
        // Every instance on the node carries the node in its entry.
        touchAllInstancesOn(index, incoming.getName(), changes);
    }

    private void ensureService(long index, String nodeName, Service incoming, Changes changes) {
        TreeMap<String, Service> services = servicesByNode.computeIfAbsent(nodeName, n -> new TreeMap<>());
        Service existing = services.get(incoming.getId());
        if (existing != null && withoutIndexes(existing).equals(incoming)) {
            return;
        }
        InstanceKey key = new InstanceKey(nodeName, incoming.getId());
        if (existing != null && !existing.getName().equals(incoming.getName())) {
            unindexInstance(key, existing.getName());
            touchService(index, existing.getName());
            changes.instance(key, existing.getName());
        }
        long created = existing == null ? index : existing.getCreateIndex();
        services.put(incoming.getId(), incoming.toBuilder().setCreateIndex(created).setModifyIndex(index).build());
        instancesByName.computeIfAbsent(incoming.getName(), n -> new TreeSet<>()).add(key);
        servicesIndex = index;
        touchService(index, incoming.getName());
        nodeNameIndex.put(nodeName, index);
        changes.instance(key, incoming.getName());
        changes.serviceList();
        refreshServiceFieldsOfChecks(index, nodeName, services.get(incoming.getId()), changes);
    }

    /** Checks carry their service's name and tags; keep them in step when the service changes. */
    private void refreshServiceFieldsOfChecks(long index, String nodeName, Service service, Changes changes) {
        TreeMap<String, Check> checks = checksByNode.get(nodeName);
        if (checks == null) {
            return;
        }
        for (Map.Entry<String, Check> e : checks.entrySet()) {
            Check c = e.getValue();
            if (!c.getServiceId().equals(service.getId())) {
                continue;
            }
            if (c.getServiceName().equals(service.getName()) && c.getServiceTagsList().equals(service.getTagsList())) {
                continue;
            }
            e.setValue(c.toBuilder().setServiceName(service.getName()).clearServiceTags()
                    .addAllServiceTags(service.getTagsList()).setModifyIndex(index).build());
        }
    }

    private void ensureCheck(long index, String nodeName, Check incoming, Changes changes) {
        Check.Builder b = incoming.toBuilder();
        if (!incoming.getServiceId().isEmpty()) {
            Service svc = service(new InstanceKey(nodeName, incoming.getServiceId()));
            b.setServiceName(svc.getName()).clearServiceTags().addAllServiceTags(svc.getTagsList());
        }
        Check normalized = b.build();
        TreeMap<String, Check> checks = checksByNode.computeIfAbsent(nodeName, n -> new TreeMap<>());
        Check existing = checks.get(incoming.getCheckId());
        if (existing != null && withoutIndexes(existing).equals(normalized)) {
            return;
        }
        long created = existing == null ? index : existing.getCreateIndex();
        checks.put(incoming.getCheckId(), normalized.toBuilder().setCreateIndex(created).setModifyIndex(index).build());
        if (existing != null && !existing.getServiceId().equals(normalized.getServiceId())) {
            touchCheckTarget(index, nodeName, existing.getServiceId(), changes);
        }
        touchCheckTarget(index, nodeName, normalized.getServiceId(), changes);
    }

    ApplyResult deregister(long index, CatalogDeregisterRequest req, Changes changes) {
        String nodeName = req.getNode();
        if (!nodes.containsKey(nodeName)) {
            return ApplyResult.DONE;
        }
        if (!req.getCheckId().isEmpty()) {
            TreeMap<String, Check> checks = checksByNode.get(nodeName);
            Check removed = checks == null ? null : checks.remove(req.getCheckId());
            if (removed != null) {
                touchCheckTarget(index, nodeName, removed.getServiceId(), changes);
            }
        } else if (!req.getServiceId().isEmpty()) {
            removeService(index, nodeName, req.getServiceId(), changes);
        } else {
            removeNode(index, nodeName, changes);
        }
        return ApplyResult.DONE;
    }

    private void removeService(long index, String nodeName, String serviceId, Changes changes) {
        TreeMap<String, Service> services = servicesByNode.get(nodeName);
        Service removed = services == null ? null : services.remove(serviceId);
        if (removed == null) {
            return;
        }
        InstanceKey key = new InstanceKey(nodeName, serviceId);
        unindexInstance(key, removed.getName());
        TreeMap<String, Check> checks = checksByNode.get(nodeName);
        if (checks != null) {
            checks.values().removeIf(c -> c.getServiceId().equals(serviceId));
        }
        servicesIndex = index;
        touchService(index, removed.getName());
        nodeNameIndex.put(nodeName, index);
        changes.instance(key, removed.getName());
        changes.serviceList();
    }

    private void removeNode(long index, String nodeName, Changes changes) {
        TreeMap<String, Service> services = servicesByNode.get(nodeName);
        if (services != null) {
            for (String id : new ArrayList<>(services.keySet())) {
                removeService(index, nodeName, id, changes);
            }
        }
        servicesByNode.remove(nodeName);
        checksByNode.remove(nodeName);
        nodes.remove(nodeName);
        nodesIndex = index;
        nodeNameIndex.put(nodeName, index);
        changes.node(nodeName);
    }

    private void touchCheckTarget(long index, String nodeName, String serviceId, Changes changes) {
        nodeNameIndex.put(nodeName, index);
        changes.nodeContents(nodeName);
        if (serviceId.isEmpty()) {
            touchAllInstancesOn(index, nodeName, changes);
        } else {
            Service svc = service(new InstanceKey(nodeName, serviceId));
            if (svc != null) {
                touchService(index, svc.getName());
                changes.instance(new InstanceKey(nodeName, serviceId), svc.getName());
            }
        }
    }

    private void touchAllInstancesOn(long index, String nodeName, Changes changes) {
        TreeMap<String, Service> services = servicesByNode.get(nodeName);
        if (services == null) {
            return;
        }
        for (Service s : services.values()) {
            touchService(index, s.getName());
            changes.instance(new InstanceKey(nodeName, s.getId()), s.getName());
        }
    }

    private void touchService(long index, String name) {
        serviceNameIndex.put(name, index);
    }

    private void unindexInstance(InstanceKey key, String name) {
        TreeSet<InstanceKey> set = instancesByName.get(name);
        if (set != null) {
            set.remove(key);
            if (set.isEmpty()) {
                instancesByName.remove(name);
            }
        }
    }

    private static Node withoutIndexes(Node n) {
        return n.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }

    private static Service withoutIndexes(Service s) {
        return s.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }

    private static Check withoutIndexes(Check c) {
        return c.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }

    // ---- reads ----

    Node node(String name) {
        return nodes.get(name);
    }

    Collection<Node> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    Service service(InstanceKey key) {
        TreeMap<String, Service> services = servicesByNode.get(key.node());
        return services == null ? null : services.get(key.serviceId());
    }

    SortedMap<String, Service> servicesOn(String nodeName) {
        TreeMap<String, Service> services = servicesByNode.get(nodeName);
        return services == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(services);
    }

    Collection<Check> checksOn(String nodeName) {
        TreeMap<String, Check> checks = checksByNode.get(nodeName);
        return checks == null ? List.of() : Collections.unmodifiableCollection(checks.values());
    }

    SortedSet<InstanceKey> instancesOf(String serviceName) {
        TreeSet<InstanceKey> set = instancesByName.get(serviceName);
        return set == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(set);
    }

    Set<String> serviceNames() {
        return Collections.unmodifiableSet(instancesByName.keySet());
    }

    /** The instance with its node and checks (node checks first), or null if it is gone. */
    ServiceEntry entry(InstanceKey key) {
        Service service = service(key);
        Node node = nodes.get(key.node());
        if (service == null || node == null) {
            return null;
        }
        List<Check> checks = new ArrayList<>();
        List<Check> own = new ArrayList<>();
        for (Check c : checksOn(key.node())) {
            if (c.getServiceId().isEmpty()) {
                checks.add(c);
            } else if (c.getServiceId().equals(key.serviceId())) {
                own.add(c);
            }
        }
        checks.addAll(own);
        return ServiceEntry.newBuilder().setNode(node).setService(service).addAllChecks(checks)
                .setAggregatedStatus(Health.aggregate(checks)).build();
    }

    long nodesIndex() {
        return nodesIndex;
    }

    long servicesIndex() {
        return servicesIndex;
    }

    /** Index of the last change to any instance of the service; the services table index if never seen. */
    long serviceNameIndex(String name) {
        return serviceNameIndex.getOrDefault(name, servicesIndex);
    }

    long nodeNameIndex(String name) {
        return nodeNameIndex.getOrDefault(name, nodesIndex);
    }

}
