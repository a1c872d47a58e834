package dev.meshplane.sidecar.xds;

/** The four xDS resource types a gRPC client asks for, in the order a change is pushed. */
enum ResourceType {
    CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", true),
    ENDPOINTS("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", false),
    LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", true),
    ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", false);

    final String typeUrl;
    /**
     * Whether every response carries all subscribed resources that exist (LDS and CDS in the
     * state-of-the-world protocol): a name left out is deleted, so a client learns at once that a
     * service does not exist instead of waiting out its 15 s does-not-exist timer.
     */
    final boolean fullSet;

    ResourceType(String typeUrl, boolean fullSet) {
        this.typeUrl = typeUrl;
        this.fullSet = fullSet;
    }

    static ResourceType of(String typeUrl) {
        for (ResourceType t : values()) {
            if (t.typeUrl.equals(typeUrl)) {
                return t;
            }
        }
        return null;
    }
}
