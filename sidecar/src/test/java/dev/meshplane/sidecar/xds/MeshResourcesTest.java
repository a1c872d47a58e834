package dev.meshplane.sidecar.xds;

import static dev.meshplane.sidecar.xds.FakeServers.instance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.Weights;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshResourcesTest {
    @Test
    void listenerFetchesItsRoutesOverAdsWithTheRouterLast() throws Exception {
        Listener l = MeshResources.clientListener("web");
        HttpConnectionManager hcm = l.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
        assertEquals("web", hcm.getRds().getRouteConfigName());
        assertTrue(hcm.getRds().getConfigSource().hasAds());
        assertEquals(MeshResources.ROUTER_FILTER, hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getName());
    }

    @Test
    void routeSendsTheServiceDomainToItsCluster() {
        RouteConfiguration r = MeshResources.route("web", LbPolicy.ROUND_ROBIN);
        assertEquals(List.of("web"), r.getVirtualHosts(0).getDomainsList());
        assertEquals("web", r.getVirtualHosts(0).getRoutes(0).getRoute().getCluster());
    }

    @Test
    void assignmentHasHealthyInstancesOnlyWithIpAddressesAndLocalityWeight() {
        List<ServiceEntry> instances = List.of(
                instance("web", "pass", "10.1.1.1", 80, HealthStatus.HEALTH_STATUS_PASSING),
                instance("web", "warn", "10.1.1.2", 80, HealthStatus.HEALTH_STATUS_WARNING),
                instance("web", "crit", "10.1.1.3", 80, HealthStatus.HEALTH_STATUS_CRITICAL),
                instance("web", "maint", "10.1.1.4", 80, HealthStatus.HEALTH_STATUS_MAINTENANCE),
                instance("web", "node-address", "", 81, HealthStatus.HEALTH_STATUS_PASSING),
                instance("web", "hostname", "web.example", 80, HealthStatus.HEALTH_STATUS_PASSING),
                instance("web", "no-port", "10.1.1.5", 0, HealthStatus.HEALTH_STATUS_PASSING));
        ClusterLoadAssignment with = MeshResources.loadAssignment("web", instances, true);
        assertEquals(List.of("10.1.1.1:80", "10.1.1.2:80", "10.0.0.1:81"), addresses(with));
        assertEquals(3, with.getEndpoints(0).getLoadBalancingWeight().getValue());
        assertEquals("dc1", with.getEndpoints(0).getLocality().getRegion());
        ClusterLoadAssignment without = MeshResources.loadAssignment("web", instances, false);
        assertEquals(List.of("10.1.1.1:80", "10.0.0.1:81"), addresses(without));
    }

    @Test
    void endpointsCarryTheServiceWeights() {
        ServiceEntry heavy = instance("web", "w", "10.1.1.1", 80, HealthStatus.HEALTH_STATUS_WARNING).toBuilder()
                .setService(instance("web", "w", "10.1.1.1", 80, HealthStatus.HEALTH_STATUS_WARNING).getService()
                        .toBuilder().setWeights(Weights.newBuilder().setPassing(10).setWarning(2)))
                .build();
        LbEndpoint e = MeshResources.loadAssignment("web", List.of(heavy), true).getEndpoints(0).getLbEndpoints(0);
        assertEquals(2, e.getLoadBalancingWeight().getValue());
    }

    @Test
    void policyComesFromTheMetaMostInstancesCarry() {
        List<ServiceEntry> instances = List.of(
                instance("web", "a", "10.1.1.1", 80, HealthStatus.HEALTH_STATUS_PASSING,
                        Map.of(LbPolicy.META_KEY, "ring_hash", LbPolicy.HASH_HEADER_META_KEY, "X-User")),
                instance("web", "b", "10.1.1.2", 80, HealthStatus.HEALTH_STATUS_PASSING,
                        Map.of(LbPolicy.META_KEY, "ring_hash")),
                instance("web", "c", "10.1.1.3", 80, HealthStatus.HEALTH_STATUS_PASSING,
                        Map.of(LbPolicy.META_KEY, "least_request")));
        LbPolicy p = LbPolicy.of("web", instances);
        assertEquals(new LbPolicy(LbPolicy.Kind.RING_HASH, "x-user"), p);
        Cluster c = MeshResources.cluster("web", p, XdsConfig.defaults());
        assertEquals(Cluster.LbPolicy.RING_HASH, c.getLbPolicy());
        assertEquals("x-user", MeshResources.route("web", p).getVirtualHosts(0).getRoutes(0).getRoute()
                .getHashPolicy(0).getHeader().getHeaderName());
        assertEquals(LbPolicy.Kind.LEAST_REQUEST, LbPolicy.of("web", instances.subList(2, 3)).kind());
        assertEquals(LbPolicy.ROUND_ROBIN, LbPolicy.of("web", List.of(instance("web", "d", "10.1.1.4", 80,
                HealthStatus.HEALTH_STATUS_PASSING, Map.of(LbPolicy.META_KEY, "maglev")))));
    }

    @Test
    void mtlsClusterNamesTheBootstrapProviderAndTheServiceIdentity() throws Exception {
        Cluster plain = MeshResources.cluster("web", LbPolicy.ROUND_ROBIN, XdsConfig.defaults());
        assertFalse(plain.hasTransportSocket());
        Cluster tls = MeshResources.cluster("web", LbPolicy.ROUND_ROBIN, XdsConfig.defaults().withMtls(true));
        UpstreamTlsContext ctx = tls.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        assertEquals("mesh", ctx.getCommonTlsContext().getTlsCertificateProviderInstance().getInstanceName());
        assertEquals("mesh", ctx.getCommonTlsContext().getValidationContext().getCaCertificateProviderInstance()
                .getInstanceName());
        assertEquals("/svc/web", ctx.getCommonTlsContext().getValidationContext().getMatchSubjectAltNames(0)
                .getSuffix());
    }

    @Test
    void unchangedResourcesKeepTheirEncodedInstance() {
        var built = new java.util.EnumMap<ResourceType, com.google.protobuf.Message>(ResourceType.class);
        built.put(ResourceType.LISTENER, MeshResources.clientListener("web"));
        built.put(ResourceType.ENDPOINTS, MeshResources.loadAssignment("web", List.of(), true));
        ServiceResources first = ServiceResources.of(built, null);
        ServiceResources again = ServiceResources.of(built, first);
        assertTrue(again.sameAs(first));
        built.put(ResourceType.ENDPOINTS, MeshResources.loadAssignment("web", List.of(
                instance("web", "a", "10.1.1.1", 80, HealthStatus.HEALTH_STATUS_PASSING)), true));
        ServiceResources changed = ServiceResources.of(built, first);
        Any listener = changed.get(ResourceType.LISTENER);
        assertTrue(listener == first.get(ResourceType.LISTENER));
        assertFalse(changed.get(ResourceType.ENDPOINTS) == first.get(ResourceType.ENDPOINTS));
    }

    @Test
    void serverListenerMatchesItsAddressAndRequiresMeshClientsWithMtls() throws Exception {
        Listener plain = ServerListeners.build(ServerListeners.PREFIX + "0.0.0.0:50051", false, "mesh");
        assertEquals("0.0.0.0", plain.getAddress().getSocketAddress().getAddress());
        assertEquals(50051, plain.getAddress().getSocketAddress().getPortValue());
        HttpConnectionManager hcm = plain.getFilterChains(0).getFilters(0).getTypedConfig()
                .unpack(HttpConnectionManager.class);
        assertTrue(hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0).hasNonForwardingAction());
        assertEquals(MeshResources.ROUTER_FILTER, hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getName());
        assertFalse(plain.getFilterChains(0).hasTransportSocket());

        Listener tls = ServerListeners.build(ServerListeners.PREFIX + "[::]:8443", true, "mesh");
        assertEquals("::", tls.getAddress().getSocketAddress().getAddress());
        DownstreamTlsContext ctx = tls.getFilterChains(0).getTransportSocket().getTypedConfig()
                .unpack(DownstreamTlsContext.class);
        assertTrue(ctx.getRequireClientCertificate().getValue());
        assertEquals("mesh", ctx.getCommonTlsContext().getTlsCertificateProviderInstance().getInstanceName());

        for (String bad : List.of("nohost", "1.2.3.4:99999", "host.example:80", "1.2.3.4:x")) {
            assertEquals(null, ServerListeners.build(ServerListeners.PREFIX + bad, false, "mesh"), bad);
        }
    }

    private static List<String> addresses(ClusterLoadAssignment cla) {
        return cla.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
                .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress() + ":"
                        + e.getEndpoint().getAddress().getSocketAddress().getPortValue())
                .toList();
    }
}
