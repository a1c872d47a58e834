package dev.meshplane.sidecar.xds;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceEntry;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Builds the xDS resources of one service for a gRPC client's {@code xds:///<service>} target:
 * Listener {@code <service>} (an API listener whose HttpConnectionManager fetches its routes over
 * ADS) → RouteConfiguration {@code <service>} (one virtual host for the service, every path to the
 * cluster) → Cluster {@code <service>} (EDS over ADS, the service's load-balancing policy, mTLS
 * when configured) → ClusterLoadAssignment {@code <service>} (the instances that may take traffic).
 * Pure functions of their inputs, so equal inputs give equal messages and an unchanged service
 * is never pushed again.
 */
final class MeshResources {
    private static final Logger LOG = Logger.getLogger(MeshResources.class.getName());
    static final String ROUTER_FILTER = "envoy.filters.http.router";
    static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
    static final String IDENTITY_CERT_NAME = "default";
    static final String ROOT_CERT_NAME = "ROOTCA";

    private MeshResources() {}

    /** Resource discovery through the stream that asked (ADS). */
    static ConfigSource ads() {
        return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3).build();
    }

    static HttpFilter routerFilter() {
        return HttpFilter.newBuilder().setName(ROUTER_FILTER).setTypedConfig(Any.pack(Router.getDefaultInstance()))
                .build();
    }

    static Listener clientListener(String service) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(service))
                // The router must be the last filter; it is the only one a client listener needs.
                .addHttpFilters(routerFilter())
                .build();
        return Listener.newBuilder().setName(service)
                .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
                .build();
    }

    static RouteConfiguration route(String service, LbPolicy policy) {
        RouteAction.Builder action = RouteAction.newBuilder().setCluster(service);
        if (policy.kind() == LbPolicy.Kind.RING_HASH) {
            action.addHashPolicy(RouteAction.HashPolicy.newBuilder()
                    .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(policy.hashHeader())));
        }
        return RouteConfiguration.newBuilder().setName(service)
                .addVirtualHosts(VirtualHost.newBuilder().setName(service).addDomains(service)
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(""))
                                .setRoute(action)))
                .build();
    }

    /** Service meta that makes clients speak mTLS to the service's instances ("true"). */
    static final String MTLS_META_KEY = "grpc-mtls";

    /** Whether most instances ask for mTLS through {@value #MTLS_META_KEY}. */
    static boolean wantsMtls(List<ServiceEntry> instances) {
        long yes = instances.stream().filter(e -> "true".equals(e.getService().getMetaMap().get(MTLS_META_KEY))).count();
        return yes * 2 > instances.size();
    }

    static Cluster cluster(String service, LbPolicy policy, XdsConfig config) {
        return cluster(service, policy, config, false);
    }

    static Cluster cluster(String service, LbPolicy policy, XdsConfig config, boolean serviceWantsMtls) {
        Cluster.Builder b = Cluster.newBuilder().setName(service).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()).setServiceName(service));
        switch (policy.kind()) {
            case ROUND_ROBIN -> b.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
            // xxHash is the only hash function gRPC accepts; the ring sizes are gRPC's defaults.
            case RING_HASH -> b.setLbPolicy(Cluster.LbPolicy.RING_HASH)
                    .setRingHashLbConfig(Cluster.RingHashLbConfig.newBuilder()
                            .setHashFunction(Cluster.RingHashLbConfig.HashFunction.XX_HASH));
            case LEAST_REQUEST -> b.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
                    .setLeastRequestLbConfig(Cluster.LeastRequestLbConfig.newBuilder()
                            .setChoiceCount(UInt32Value.of(2)));
        }
        if (config.mtls() || serviceWantsMtls) {
            UpstreamTlsContext tls = UpstreamTlsContext.newBuilder()
                    .setCommonTlsContext(TlsContexts.common(config.certificateProvider(),
                            // The instance must present the service's SPIFFE ID: .../svc/<service>.
                            List.of(StringMatcher.newBuilder().setSuffix("/svc/" + service).build())))
                    .build();
            b.setTransportSocket(TransportSocket.newBuilder().setName(TLS_TRANSPORT_SOCKET)
                    .setTypedConfig(Any.pack(tls)));
        }
        return b.build();
    }

    /**
     * The routes of a name with no registered instance: one virtual host that matches no authority,
     * so grpc-java fails every call at once with UNAVAILABLE "Failed to find virtual host matching
     * hostname: X". A Listener that is merely absent would not do for a name the client never
     * received: grpc-java (1.83) ignores such an absence until its 15 s does-not-exist timer fires.
     */
    static RouteConfiguration unregisteredRoute(String service) {
        return RouteConfiguration.newBuilder().setName(service)
                .addVirtualHosts(VirtualHost.newBuilder().setName("not-registered")
                        // .invalid never resolves and never equals a service name (RFC 2606).
                        .addDomains(service + ".not-registered.invalid"))
                .build();
    }

    /**
     * The instances that may take traffic: passing ones, and warning ones when configured. Each
     * datacenter is one locality weighted by its number of endpoints (gRPC requires every locality
     * to carry a weight); each endpoint carries its service's passing or warning weight.
     */
    static ClusterLoadAssignment loadAssignment(String service, List<ServiceEntry> instances, boolean includeWarning) {
        Map<String, LocalityLbEndpoints.Builder> byDc = new TreeMap<>();
        for (ServiceEntry e : instances) {
            HealthStatus s = e.getAggregatedStatus();
            boolean serves = s == HealthStatus.HEALTH_STATUS_PASSING || s == HealthStatus.HEALTH_STATUS_UNSPECIFIED
                    || (includeWarning && s == HealthStatus.HEALTH_STATUS_WARNING);
            if (!serves) {
                continue;
            }
            String address = e.getService().getAddress().isEmpty() ? e.getNode().getAddress()
                    : e.getService().getAddress();
            if (!InetAddresses.isInetAddress(address) || e.getService().getPort() <= 0) {
                LOG.fine("service " + service + ": instance " + e.getNode().getName() + "/" + e.getService().getId()
                        + " has no IP literal address and port (\"" + address + "\", " + e.getService().getPort()
                        + "); gRPC clients cannot use it");
                continue;
            }
            int weight = s == HealthStatus.HEALTH_STATUS_WARNING ? e.getService().getWeights().getWarning()
                    : e.getService().getWeights().getPassing();
            LbEndpoint endpoint = LbEndpoint.newBuilder()
                    .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                            SocketAddress.newBuilder().setAddress(address).setPortValue(e.getService().getPort()))))
                    .setHealthStatus(io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
                    .setLoadBalancingWeight(UInt32Value.of(weight > 0 ? weight : 1))
                    .build();
            byDc.computeIfAbsent(e.getNode().getDatacenter(), dc -> LocalityLbEndpoints.newBuilder()
                    .setLocality(Locality.newBuilder().setRegion(dc))).addLbEndpoints(endpoint);
        }
        ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(service);
        for (LocalityLbEndpoints.Builder l : byDc.values()) {
            cla.addEndpoints(l.setLoadBalancingWeight(UInt32Value.of(l.getLbEndpointsCount())));
        }
        return cla.build();
    }
}
