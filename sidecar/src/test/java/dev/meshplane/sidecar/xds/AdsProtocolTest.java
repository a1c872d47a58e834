package dev.meshplane.sidecar.xds;

import static dev.meshplane.sidecar.xds.FakeServers.instance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ADS protocol as the sidecar speaks it, driven by a hand-written client over the in-memory servers. */
class AdsProtocolTest {
    private FakeServers servers;
    private XdsServer xds;
    private Server agentPort;
    private ManagedChannel channel;
    private final List<RawAdsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        servers = new FakeServers();
        servers.initial.put("web", List.of(instance("web", "web-1", "10.1.1.1", 8080, HealthStatus.HEALTH_STATUS_PASSING),
                instance("web", "web-2", "10.1.1.2", 8080, HealthStatus.HEALTH_STATUS_PASSING)));
        xds = new XdsServer(XdsConfig.defaults().withDebounce(Duration.ofMillis(5)), servers.channel);
        String name = "agent-" + System.nanoTime();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        xds.services().forEach(b::addService);
        agentPort = b.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(RawAdsClient::close);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        agentPort.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        xds.close();
        servers.close();
    }

    private RawAdsClient client(String node) {
        RawAdsClient c = new RawAdsClient(channel, node);
        clients.add(c);
        return c;
    }

    @Test
    void answersEachTypeWithVersionAndNonceAndSendsNothingMoreOnAck() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.LISTENER, List.of("web"));
        DiscoveryResponse lds = c.next();
        assertEquals(ResourceType.LISTENER.typeUrl, lds.getTypeUrl());
        assertEquals("1", lds.getVersionInfo());
        assertFalse(lds.getNonce().isEmpty());
        assertEquals("web", RawAdsClient.unpack(lds, 0, Listener.class).getName());
        c.ack(lds, List.of("web"));

        c.subscribe(ResourceType.CLUSTER, List.of("web"));
        DiscoveryResponse cds = c.next();
        assertEquals("1", cds.getVersionInfo(), "versions count per type");
        assertNotEquals(lds.getNonce(), cds.getNonce());
        Cluster cluster = RawAdsClient.unpack(cds, 0, Cluster.class);
        assertEquals(Cluster.DiscoveryType.EDS, cluster.getType());
        assertEquals(Cluster.LbPolicy.ROUND_ROBIN, cluster.getLbPolicy());
        c.ack(cds, List.of("web"));
        assertNull(c.poll(200), "an ACK must not trigger another response");
    }

    @Test
    void healthChangePushesOnlyTheChangedAssignment() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.CLUSTER, List.of("web"));
        c.ack(c.next(), List.of("web"));
        c.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        DiscoveryResponse eds = c.next();
        assertEquals(2, endpoints(eds));
        c.ack(eds, List.of("web"));

        servers.upsert("web", instance("web", "web-2", "10.1.1.2", 8080, HealthStatus.HEALTH_STATUS_CRITICAL));
        DiscoveryResponse pushed = c.next();
        assertEquals(ResourceType.ENDPOINTS.typeUrl, pushed.getTypeUrl(), "only the assignment changed");
        assertEquals("2", pushed.getVersionInfo());
        assertEquals(1, endpoints(pushed));
        c.ack(pushed, List.of("web"));

        // Critical to maintenance: still excluded, the assignment is the same, nothing is sent.
        servers.upsert("web", instance("web", "web-2", "10.1.1.2", 8080, HealthStatus.HEALTH_STATUS_MAINTENANCE));
        assertNull(c.poll(300), "an unchanged assignment must not be pushed");
    }

    @Test
    void nackIsLoggedAndTheRejectedVersionIsNotPushedAgainUntilSomethingChanges() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        DiscoveryResponse first = c.next();
        c.ack(first, List.of("web"));
        servers.upsert("web", instance("web", "web-3", "10.1.1.3", 8080, HealthStatus.HEALTH_STATUS_PASSING));
        DiscoveryResponse second = c.next();
        c.nack(second, first.getVersionInfo(), List.of("web"), "test rejects it");
        assertNull(c.poll(300), "a NACKed version must not be re-pushed while nothing changed");
        assertEquals(1, xds.nacksReceived());

        servers.remove("web", "node-1", "web-3");
        DiscoveryResponse third = c.next();
        assertEquals("3", third.getVersionInfo());
        assertEquals(2, endpoints(third));
    }

    @Test
    void staleNonceIsIgnored() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        DiscoveryResponse first = c.next();
        servers.upsert("web", instance("web", "web-3", "10.1.1.3", 8080, HealthStatus.HEALTH_STATUS_PASSING));
        DiscoveryResponse second = c.next();
        // A late NACK of the first response: the second is already out, so it must change nothing.
        c.nack(first, "", List.of("web"), "late");
        assertNull(c.poll(200));
        assertEquals(0, xds.nacksReceived());
        c.ack(second, List.of("web"));
        assertNull(c.poll(200));
    }

    @Test
    void listenerAndClusterResponsesCarryTheFullSet() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.CLUSTER, List.of("web", "api"));
        DiscoveryResponse cds = c.next();
        // "api" has no instance: no cluster, and the set says so at once.
        assertEquals(1, cds.getResourcesCount());
        assertEquals("web", RawAdsClient.unpack(cds, 0, Cluster.class).getName());
        c.ack(cds, List.of("web", "api"));

        servers.upsert("api", instance("api", "api-1", "10.2.2.2", 9000, HealthStatus.HEALTH_STATUS_PASSING));
        DiscoveryResponse both = c.next();
        assertEquals(2, both.getResourcesCount(), "a full-set response names every existing cluster");
        c.ack(both, List.of("web", "api"));

        servers.remove("api", "node-1", "api-1");
        DiscoveryResponse gone = c.next();
        assertEquals(1, gone.getResourcesCount(), "the deregistered cluster is left out: deleted");
    }

    @Test
    void namesThatCannotBeServicesAreAbsentWithoutAskingTheServers() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.LISTENER, List.of("not a service/name"));
        DiscoveryResponse lds = c.next();
        assertEquals(0, lds.getResourcesCount());
        assertTrue(servers.opened.isEmpty());
    }

    @Test
    void unregisteredServiceGetsAListenerWhoseRoutesMatchNoAuthority() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.LISTENER, List.of("ghost"));
        assertEquals(1, c.next().getResourcesCount());
        c.subscribe(ResourceType.ROUTE, List.of("ghost"));
        var route = RawAdsClient.unpack(c.next(), 0, io.envoyproxy.envoy.config.route.v3.RouteConfiguration.class);
        assertEquals(List.of("ghost.not-registered.invalid"), route.getVirtualHosts(0).getDomainsList());
    }

    @Test
    void allLocalSubscribersShareOneUpstreamWatch() throws Exception {
        RawAdsClient a = client("app-1");
        RawAdsClient b = client("app-2");
        a.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        b.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        DiscoveryResponse ra = a.next();
        DiscoveryResponse rb = b.next();
        // Computed and encoded once: both streams carry the same resource bytes.
        assertEquals(ra.getResources(0), rb.getResources(0));
        Iterator<WatchEvent> watch = WatchGrpc.newBlockingStub(channel).watch(WatchRequest.newBuilder()
                .setServiceHealth(ServiceHealthTopic.newBuilder().setService("web")).build());
        WatchEvent snapshot = watch.next();
        assertEquals(WatchEvent.Kind.SNAPSHOT, snapshot.getKind());
        assertEquals(2, snapshot.getServiceHealth().getUpsertedCount());
        assertEquals(1, servers.opened("web"), "one upstream stream for two ADS clients and a watcher");

        servers.upsert("web", instance("web", "web-1", "10.1.1.1", 8080, HealthStatus.HEALTH_STATUS_CRITICAL));
        WatchEvent delta = watch.next();
        assertEquals(WatchEvent.Kind.DELTA, delta.getKind());
        assertEquals(1, endpoints(a.next()));
        assertEquals(1, endpoints(b.next()));
    }

    @Test
    void upstreamWatchIsReopenedAfterAServerFailureAndItsSnapshotPushed() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        c.ack(c.next(), List.of("web"));
        servers.initial.put("web", List.of(instance("web", "web-1", "10.1.1.1", 8080, HealthStatus.HEALTH_STATUS_PASSING)));
        servers.fail("web");
        DiscoveryResponse after = c.next();
        assertEquals(1, endpoints(after), "the re-opened watch's snapshot replaced the instances");
        assertEquals(2, servers.opened("web"));
    }

    @Test
    void lastSubscriberLeavingClosesTheUpstreamWatch() throws Exception {
        RawAdsClient c = client("app-1");
        c.subscribe(ResourceType.ENDPOINTS, List.of("web"));
        c.next();
        assertEquals(1, xds.upstreamWatches());
        c.subscribe(ResourceType.ENDPOINTS, List.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (xds.upstreamWatches() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, xds.upstreamWatches());
        assertEquals(0, servers.open("web"));
    }

    @Test
    void deltaProtocolIsRefusedClearly() throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DeltaDiscoveryResponse value) {
                ended.completeExceptionally(new AssertionError("no delta response expected"));
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(t);
            }

            @Override
            public void onCompleted() {
                ended.completeExceptionally(new AssertionError("the stream must fail"));
            }
        });
        Status status = Status.fromThrowable(ended.get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNIMPLEMENTED, status.getCode());
        assertTrue(status.getDescription().contains("state-of-the-world"), status.toString());
    }

    private static int endpoints(DiscoveryResponse r) {
        ClusterLoadAssignment cla = RawAdsClient.unpack(r, 0, ClusterLoadAssignment.class);
        return cla.getEndpointsList().stream().mapToInt(l -> l.getLbEndpointsCount()).sum();
    }
}
