package dev.meshplane.controlplane.state;

import java.util.Comparator;

/** Identifies one service instance: a service ID is unique only on its node. */
public record InstanceKey(String node, String serviceId) implements Comparable<InstanceKey> {
    private static final Comparator<InstanceKey> ORDER =
            Comparator.comparing(InstanceKey::node).thenComparing(InstanceKey::serviceId);

    @Override
    public int compareTo(InstanceKey other) {
        return ORDER.compare(this, other);
    }
}
