package dev.meshplane.controlplane.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one applied command changed, recorded so that watches and blocking queries wake only
 * when their result can have changed, and so that watch deltas are computed from the changed
 * items alone.
 */
public final class Changes {
    private final List<String> kvKeys = new ArrayList<>();
    private final Map<String, Set<InstanceKey>> instancesByService = new HashMap<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final List<CheckRef> failedChecks = new ArrayList<>();
    private final Set<String> removedNodes = new HashSet<>();
    private final Map<String, java.time.Duration> lockDelays = new HashMap<>();
    private boolean serviceList;
    private boolean nodeList;
    private boolean sessions;
    private boolean reset;
    private boolean tombstoned;
    private boolean caRoots;
    private boolean intentions;

    /** A check on a node, by ID. */
    public record CheckRef(String node, String checkId) {}

    void kvKey(String key) {
        kvKeys.add(key);
    }

    /** An instance appeared, changed (itself, its checks or its node) or went away. */
    void instance(InstanceKey key, String serviceName) {
        instancesByService.computeIfAbsent(serviceName, n -> new HashSet<>()).add(key);
        nodeNames.add(key.node());
    }

    /** Service names or their tags may have changed. */
    void serviceList() {
        serviceList = true;
    }

    void node(String name) {
        nodeNames.add(name);
        nodeList = true;
    }

    void nodeContents(String name) {
        nodeNames.add(name);
    }

    /** The whole state was replaced (a snapshot restore): every result may have changed. */
    static Changes everything() {
        Changes c = new Changes();
        c.reset = true;
        c.serviceList = true;
        c.nodeList = true;
        c.sessions = true;
        c.caRoots = true;
        c.intentions = true;
        return c;
    }

    void tombstoned() {
        tombstoned = true;
    }

    /** Whether a KV delete left a tombstone (for the leader's tombstone reaper). */
    public boolean tombstonesAdded() {
        return tombstoned;
    }

    public boolean isReset() {
        return reset;
    }

    /** A check went critical or was removed: sessions relying on it are invalidated. */
    void checkFailed(String node, String checkId) {
        failedChecks.add(new CheckRef(node, checkId));
    }

    void nodeRemoved(String node) {
        removedNodes.add(node);
    }

    void sessions() {
        sessions = true;
    }

    /** A lock was lost with its session: the key may not be re-acquired for {@code delay}. */
    void lockDelay(String key, java.time.Duration delay) {
        lockDelays.put(key, delay);
    }

    List<CheckRef> failedChecks() {
        return failedChecks;
    }

    Set<String> removedNodes() {
        return removedNodes;
    }

    public boolean sessionsChanged() {
        return sessions;
    }

    /** Keys whose locks were lost, with the delay before they may be acquired again. */
    public Map<String, java.time.Duration> lockDelays() {
        return lockDelays;
    }

    public List<String> kvKeys() {
        return kvKeys;
    }

    /** Names of services whose instances (or their checks or nodes) changed. */
    public Set<String> serviceNames() {
        return instancesByService.keySet();
    }

    /** Instances of the named service that appeared, changed or went away. */
    public Set<InstanceKey> instancesOf(String serviceName) {
        return instancesByService.getOrDefault(serviceName, Set.of());
    }

    public Set<String> nodeNames() {
        return nodeNames;
    }

    public boolean serviceListChanged() {
        return serviceList;
    }

    public boolean nodeListChanged() {
        return nodeList;
    }

    void caRoots() {
        caRoots = true;
    }

    void intentions() {
        intentions = true;
    }

    /** The CA's roots (or its key) changed. */
    public boolean caRootsChanged() {
        return caRoots;
    }

    public boolean intentionsChanged() {
        return intentions;
    }

    public boolean isEmpty() {
        return kvKeys.isEmpty() && instancesByService.isEmpty() && nodeNames.isEmpty() && !serviceList && !nodeList
                && !sessions && !tombstoned && !caRoots && !intentions;
    }
}
