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
    private boolean serviceList;
    private boolean nodeList;

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

    public boolean isEmpty() {
        return kvKeys.isEmpty() && instancesByService.isEmpty() && nodeNames.isEmpty() && !serviceList && !nodeList;
    }
}
