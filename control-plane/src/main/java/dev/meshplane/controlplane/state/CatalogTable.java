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
 * Nodes, service instances and checks, with the indexes blocking queries need. Every mutation
 * is journaled so a transaction can be undone. Not thread-safe: {@link StateStore} serializes
 * writers and readers.
 *
 * <p>A write that changes nothing (same node, service or check as stored) leaves indexes
 * alone, so an agent re-asserting its state does not wake every watcher.
 */
final class CatalogTable {
    private final Journal journal;
    private final JournaledMap<String, Node> nodes;
    private final JournaledMap<String, JournaledMap<String, Service>> servicesByNode;
    private final JournaledMap<String, JournaledMap<String, Check>> checksByNode;
    private final JournaledMap<String, TreeSet<InstanceKey>> instancesByName;
    /** Last index at which anything about a service name (instances, their checks or nodes) changed. */
    private final JournaledMap<String, Long> serviceNameIndex;
    /** Last index at which a node, its services or its checks changed. */
    private final JournaledMap<String, Long> nodeNameIndex;
    private long nodesIndex;
    private long servicesIndex;
    private long checksIndex;

    CatalogTable(Journal journal) {
        this.journal = journal;
        this.nodes = new JournaledMap<>(new TreeMap<>(), journal);
        this.servicesByNode = new JournaledMap<>(new HashMap<>(), journal);
        this.checksByNode = new JournaledMap<>(new HashMap<>(), journal);
        this.instancesByName = new JournaledMap<>(new HashMap<>(), journal);
        this.serviceNameIndex = new JournaledMap<>(new HashMap<>(), journal);
        this.nodeNameIndex = new JournaledMap<>(new HashMap<>(), journal);
    }

    // ---- registration commands ----

    ApplyResult register(long index, CatalogRegisterRequest req, Changes changes) {
        ApiException invalid = checkRegistration(req);
        if (invalid != null) {
            return new ApplyResult.Rejected(invalid);
        }
        String nodeName = req.getNode().getName();
        ensureNode(index, req.getNode(), changes);
        if (req.hasService()) {
            ensureService(index, nodeName, req.getService(), changes);
        }
        for (Check check : req.getChecksList()) {
            ensureCheck(index, check.toBuilder().setNode(nodeName).build(), changes);
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

    ApplyResult deregister(long index, CatalogDeregisterRequest req, Changes changes) {
        String nodeName = req.getNode();
        if (!nodes.containsKey(nodeName)) {
            return ApplyResult.DONE;
        }
        if (!req.getCheckId().isEmpty()) {
            removeCheck(index, nodeName, req.getCheckId(), changes);
        } else if (!req.getServiceId().isEmpty()) {
            removeService(index, nodeName, req.getServiceId(), changes);
        } else {
            removeNode(index, nodeName, changes);
        }
        return ApplyResult.DONE;
    }

    // ---- primitives (also used by transactions) ----

    /** Creates or updates the node; returns it as stored. */
    Node ensureNode(long index, Node incoming, Changes changes) {
        Node existing = nodes.get(incoming.getName());
        if (existing != null && withoutIndexes(existing).equals(incoming)) {
            return existing;
        }
        long created = existing == null ? index : existing.getCreateIndex();
        Node stored = incoming.toBuilder().setCreateIndex(created).setModifyIndex(index).build();
        nodes.put(incoming.getName(), stored);
        setNodesIndex(index);
        nodeNameIndex.put(incoming.getName(), index);
        changes.node(incoming.getName());
        // Every instance on the node carries the node in its entry.
        touchAllInstancesOn(index, incoming.getName(), changes);
        return stored;
    }

    /** Creates or replaces a service on an existing node; returns it as stored. */
    Service ensureService(long index, String nodeName, Service incoming, Changes changes) {
        JournaledMap<String, Service> services =
                servicesByNode.computeIfAbsent(nodeName, n -> new JournaledMap<>(new TreeMap<>(), journal));
        Service existing = services.get(incoming.getId());
        if (existing != null && withoutIndexes(existing).equals(incoming)) {
            return existing;
        }
        InstanceKey key = new InstanceKey(nodeName, incoming.getId());
        if (existing != null && !existing.getName().equals(incoming.getName())) {
            unindexInstance(key, existing.getName());
            touchService(index, existing.getName());
            changes.instance(key, existing.getName());
        }
        long created = existing == null ? index : existing.getCreateIndex();
        Service stored = incoming.toBuilder().setCreateIndex(created).setModifyIndex(index).build();
        services.put(incoming.getId(), stored);
        indexInstance(key, incoming.getName());
        setServicesIndex(index);
        touchService(index, incoming.getName());
        nodeNameIndex.put(nodeName, index);
        changes.instance(key, incoming.getName());
        changes.serviceList();
        refreshServiceFieldsOfChecks(index, nodeName, stored);
        return stored;
    }

    /** Checks carry their service's name and tags; keep them in step when the service changes. */
    private void refreshServiceFieldsOfChecks(long index, String nodeName, Service service) {
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        if (checks == null) {
            return;
        }
        for (Check c : new ArrayList<>(checks.values())) {
            if (!c.getServiceId().equals(service.getId())) {
                continue;
            }
            if (c.getServiceName().equals(service.getName()) && c.getServiceTagsList().equals(service.getTagsList())) {
                continue;
            }
            checks.put(c.getCheckId(), c.toBuilder().setServiceName(service.getName()).clearServiceTags()
                    .addAllServiceTags(service.getTagsList()).setModifyIndex(index).build());
        }
    }

    /** Creates or replaces a check on an existing node (its service, if any, must exist); returns it as stored. */
    Check ensureCheck(long index, Check incoming, Changes changes) {
        String nodeName = incoming.getNode();
        Check.Builder b = incoming.toBuilder();
        if (!incoming.getServiceId().isEmpty()) {
            Service svc = service(new InstanceKey(nodeName, incoming.getServiceId()));
            b.setServiceName(svc.getName()).clearServiceTags().addAllServiceTags(svc.getTagsList());
        }
        Check normalized = b.build();
        JournaledMap<String, Check> checks =
                checksByNode.computeIfAbsent(nodeName, n -> new JournaledMap<>(new TreeMap<>(), journal));
        Check existing = checks.get(incoming.getCheckId());
        if (existing != null && withoutIndexes(existing).equals(normalized)) {
            return existing;
        }
        long created = existing == null ? index : existing.getCreateIndex();
        Check stored = normalized.toBuilder().setCreateIndex(created).setModifyIndex(index).build();
        checks.put(incoming.getCheckId(), stored);
        if (existing != null && !existing.getServiceId().equals(normalized.getServiceId())) {
            touchCheckTarget(index, nodeName, existing.getServiceId(), changes);
        }
        touchCheckTarget(index, nodeName, normalized.getServiceId(), changes);
        if (Health.isFailing(stored.getStatus()) && (existing == null || !Health.isFailing(existing.getStatus()))) {
            changes.checkFailed(nodeName, stored.getCheckId());
        }
        return stored;
    }

    void removeCheck(long index, String nodeName, String checkId, Changes changes) {
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        Check removed = checks == null ? null : checks.remove(checkId);
        if (removed != null) {
            touchCheckTarget(index, nodeName, removed.getServiceId(), changes);
            changes.checkFailed(nodeName, checkId);
        }
    }

    void removeService(long index, String nodeName, String serviceId, Changes changes) {
        JournaledMap<String, Service> services = servicesByNode.get(nodeName);
        Service removed = services == null ? null : services.remove(serviceId);
        if (removed == null) {
            return;
        }
        InstanceKey key = new InstanceKey(nodeName, serviceId);
        unindexInstance(key, removed.getName());
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        if (checks != null) {
            for (Check c : new ArrayList<>(checks.values())) {
                if (c.getServiceId().equals(serviceId)) {
                    checks.remove(c.getCheckId());
                    setChecksIndex(index);
                    changes.checkFailed(nodeName, c.getCheckId());
                }
            }
        }
        setServicesIndex(index);
        touchService(index, removed.getName());
        nodeNameIndex.put(nodeName, index);
        changes.instance(key, removed.getName());
        changes.serviceList();
    }

    void removeNode(long index, String nodeName, Changes changes) {
        if (!nodes.containsKey(nodeName)) {
            return;
        }
        JournaledMap<String, Service> services = servicesByNode.get(nodeName);
        if (services != null) {
            for (String id : new ArrayList<>(services.keySet())) {
                removeService(index, nodeName, id, changes);
            }
        }
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        if (checks != null && !checks.isEmpty()) {
            for (String id : checks.keySet()) {
                changes.checkFailed(nodeName, id);
            }
            setChecksIndex(index);
        }
        servicesByNode.remove(nodeName);
        checksByNode.remove(nodeName);
        nodes.remove(nodeName);
        setNodesIndex(index);
        nodeNameIndex.put(nodeName, index);
        changes.node(nodeName);
        changes.nodeRemoved(nodeName);
    }

    private void touchCheckTarget(long index, String nodeName, String serviceId, Changes changes) {
        setChecksIndex(index);
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
        JournaledMap<String, Service> services = servicesByNode.get(nodeName);
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

    private void indexInstance(InstanceKey key, String name) {
        TreeSet<InstanceKey> set = instancesByName.computeIfAbsent(name, n -> new TreeSet<>());
        if (set.add(key)) {
            journal.record(() -> set.remove(key));
        }
    }

    private void unindexInstance(InstanceKey key, String name) {
        TreeSet<InstanceKey> set = instancesByName.get(name);
        if (set != null && set.remove(key)) {
            journal.record(() -> set.add(key));
            if (set.isEmpty()) {
                instancesByName.remove(name);
            }
        }
    }

    private void setNodesIndex(long index) {
        long old = nodesIndex;
        journal.record(() -> nodesIndex = old);
        nodesIndex = index;
    }

    private void setChecksIndex(long index) {
        long old = checksIndex;
        journal.record(() -> checksIndex = old);
        checksIndex = index;
    }

    private void setServicesIndex(long index) {
        long old = servicesIndex;
        journal.record(() -> servicesIndex = old);
        servicesIndex = index;
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

    // ---- snapshot restore: objects go in exactly as they were stored ----

    void restoreNode(Node node) {
        nodes.put(node.getName(), node);
    }

    void restoreService(String nodeName, Service service) {
        servicesByNode.computeIfAbsent(nodeName, n -> new JournaledMap<>(new TreeMap<>(), journal))
                .put(service.getId(), service);
        indexInstance(new InstanceKey(nodeName, service.getId()), service.getName());
    }

    void restoreCheck(Check check) {
        checksByNode.computeIfAbsent(check.getNode(), n -> new JournaledMap<>(new TreeMap<>(), journal))
                .put(check.getCheckId(), check);
    }

    void restoreIndexes(long nodes, long services, long checks) {
        nodesIndex = nodes;
        servicesIndex = services;
        checksIndex = checks;
    }

    void restoreServiceNameIndex(String name, long index) {
        serviceNameIndex.put(name, index);
    }

    void restoreNodeNameIndex(String name, long index) {
        nodeNameIndex.put(name, index);
    }

    /** Every service (by node) for a snapshot. */
    Map<String, Collection<Service>> allServices() {
        Map<String, Collection<Service>> out = new TreeMap<>();
        for (var e : servicesByNode.entrySet()) {
            out.put(e.getKey(), e.getValue().values());
        }
        return out;
    }

    Map<String, Long> serviceNameIndexes() {
        Map<String, Long> m = new TreeMap<>();
        for (var e : serviceNameIndex.entrySet()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    Map<String, Long> nodeNameIndexes() {
        Map<String, Long> m = new TreeMap<>();
        for (var e : nodeNameIndex.entrySet()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    // ---- reads ----

    Node node(String name) {
        return nodes.get(name);
    }

    Collection<Node> nodes() {
        return nodes.values();
    }

    Service service(InstanceKey key) {
        JournaledMap<String, Service> services = servicesByNode.get(key.node());
        return services == null ? null : services.get(key.serviceId());
    }

    SortedMap<String, Service> servicesOn(String nodeName) {
        JournaledMap<String, Service> services = servicesByNode.get(nodeName);
        return services == null ? Collections.emptySortedMap() : services.sorted();
    }

    Collection<Check> checksOn(String nodeName) {
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        return checks == null ? List.of() : checks.values();
    }

    Check check(String nodeName, String checkId) {
        JournaledMap<String, Check> checks = checksByNode.get(nodeName);
        return checks == null ? null : checks.get(checkId);
    }

    SortedSet<InstanceKey> instancesOf(String serviceName) {
        TreeSet<InstanceKey> set = instancesByName.get(serviceName);
        return set == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(set);
    }

    Set<String> serviceNames() {
        return instancesByName.keySet();
    }

    /** Every node's checks, in node order, for queries by state. */
    Map<String, Collection<Check>> allChecks() {
        Map<String, Collection<Check>> out = new TreeMap<>();
        for (String n : nodes.keySet()) {
            out.put(n, checksOn(n));
        }
        return out;
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

    long checksIndex() {
        return checksIndex;
    }

    /** Index of the last change to any instance of the service; the services table index if never seen. */
    long serviceNameIndex(String name) {
        Long i = serviceNameIndex.get(name);
        return i != null ? i : servicesIndex;
    }

    long nodeNameIndex(String name) {
        Long i = nodeNameIndex.get(name);
        return i != null ? i : nodesIndex;
    }
}
