package dev.meshplane.sidecar.dns;

import java.util.List;

/** The instances of one service at one moment, as DNS sees them (immutable). */
record ServiceView(String service, List<Instance> instances) {
    static final ServiceView EMPTY = new ServiceView("", List.of());

    ServiceView {
        instances = List.copyOf(instances);
    }
}
