package dev.meshplane.sidecar.xds;

import static dev.meshplane.sidecar.xds.FakeServers.instance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.IntentionRules;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server Listeners carry the RBAC of their node's service, wait for the intentions before they are
 * first sent, and an intention change re-pushes exactly the Listeners whose rules changed.
 */
class ServerRbacPushTest {
    private static final String DB_LISTENER = ServerListeners.PREFIX + "127.0.0.1:7001";
    private static final String API_LISTENER = ServerListeners.PREFIX + "127.0.0.1:7002";
    private FakeServers servers;
    private XdsServer xds;
    private Server agentPort;
    private ManagedChannel channel;
    private final List<RawAdsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        servers = new FakeServers();
        servers.initial.put("web", List.of(instance("web", "web-1", "10.1.1.1", 8080, HealthStatus.HEALTH_STATUS_PASSING)));
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

    private RawAdsClient meshServer(String node, String service) {
        RawAdsClient c = new RawAdsClient(channel, node, Map.of(AdsStream.NODE_SERVICE_KEY, service,
                AdsStream.NODE_CERTIFICATE_PROVIDER_KEY, "mesh"));
        clients.add(c);
        return c;
    }

    private static Intention intention(String source, String destination, IntentionAction action) {
        return Intention.newBuilder().setSourceName(source).setDestinationName(destination).setAction(action)
                .setPrecedence(IntentionRules.precedence(source, destination)).build();
    }

    private String id(String service) {
        return "spiffe://" + servers.roots.trustDomain + "/ns/default/dc/dc1/svc/" + service;
    }

    /** The RBAC of the one server Listener in an LDS response, or null when it has none. */
    private static RBAC rbacOf(DiscoveryResponse lds) throws Exception {
        assertEquals(ResourceType.LISTENER.typeUrl, lds.getTypeUrl());
        Listener l = RawAdsClient.unpack(lds, 0, Listener.class);
        HttpConnectionManager hcm = l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
        assertEquals(MeshResources.ROUTER_FILTER, hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getName(),
                "the router stays last");
        for (HttpFilter f : hcm.getHttpFiltersList()) {
            if (f.getName().equals(IntentionRbac.RBAC_FILTER)) {
                return f.getTypedConfig().unpack(RBAC.class);
            }
        }
        return null;
    }

    @Test
    void listenerWaitsForTheIntentionsThenCarriesTheirRbac() throws Exception {
        RawAdsClient db = meshServer("db-app", "db");
        db.subscribe(ResourceType.LISTENER, List.of(DB_LISTENER));
        assertNull(db.poll(300), "no Listener before the intentions are known: the server must not serve unauthorized");
        servers.intentions.set(true, intention("web", "db", IntentionAction.INTENTION_ACTION_DENY));
        RBAC rbac = rbacOf(db.next());
        assertFalse(RbacEvaluator.allows(rbac, id("web")));
        assertTrue(RbacEvaluator.allows(rbac, id("api")));
    }

    @Test
    void anIntentionChangeRepushesOnlyTheListenersWhoseRulesChanged() throws Exception {
        servers.intentions.set(true);
        RawAdsClient db = meshServer("db-app", "db");
        RawAdsClient api = meshServer("api-app", "api");
        RawAdsClient client = new RawAdsClient(channel, "web-client");
        clients.add(client);
        db.subscribe(ResourceType.LISTENER, List.of(DB_LISTENER));
        api.subscribe(ResourceType.LISTENER, List.of(API_LISTENER));
        client.subscribe(ResourceType.LISTENER, List.of("web"));
        DiscoveryResponse first = db.next();
        assertTrue(RbacEvaluator.allows(rbacOf(first), id("web")));
        db.ack(first, List.of(DB_LISTENER));
        api.ack(api.next(), List.of(API_LISTENER));
        client.ack(client.next(), List.of("web"));

        servers.intentions.set(true, intention("web", "db", IntentionAction.INTENTION_ACTION_DENY));
        DiscoveryResponse pushed = db.next();
        assertEquals("2", pushed.getVersionInfo());
        assertFalse(RbacEvaluator.allows(rbacOf(pushed), id("web")), "the deny reached db's Listener");
        db.ack(pushed, List.of(DB_LISTENER));
        assertNull(api.poll(300), "api's rules did not change: nothing is pushed to it");
        assertNull(client.poll(10), "a client Listener carries no RBAC: nothing is pushed to it");

        // An intention for another destination, and a new description: db's rules are the same.
        servers.intentions.set(true, intention("web", "db", IntentionAction.INTENTION_ACTION_DENY).toBuilder()
                .setDescription("no web").build(), intention("web", "cache", IntentionAction.INTENTION_ACTION_DENY));
        assertNull(db.poll(300), "unchanged rules are not pushed again");
        assertNull(api.poll(10));

        // A wildcard deny applies to both destinations.
        servers.intentions.set(true, intention("web", "db", IntentionAction.INTENTION_ACTION_DENY),
                intention("*", "*", IntentionAction.INTENTION_ACTION_DENY));
        assertFalse(RbacEvaluator.allows(rbacOf(db.next()), id("api")));
        assertFalse(RbacEvaluator.allows(rbacOf(api.next()), id("web")));
        assertNull(client.poll(200));
    }

    @Test
    void aNodeWithoutAServiceGetsAListenerThatRefusesEveryCaller() throws Exception {
        servers.intentions.set(true);
        RawAdsClient anon = new RawAdsClient(channel, "anonymous", Map.of(AdsStream.NODE_CERTIFICATE_PROVIDER_KEY, "mesh"));
        clients.add(anon);
        anon.subscribe(ResourceType.LISTENER, List.of(DB_LISTENER));
        RBAC rbac = rbacOf(anon.next());
        assertFalse(RbacEvaluator.allows(rbac, id("web")));
    }

    @Test
    void aPlaintextServerListenerCarriesNoRbacAndDoesNotWaitForIntentions() throws Exception {
        RawAdsClient plain = new RawAdsClient(channel, "plain", Map.of(AdsStream.NODE_SERVICE_KEY, "db"));
        clients.add(plain);
        plain.subscribe(ResourceType.LISTENER, List.of(DB_LISTENER));
        assertNull(rbacOf(plain.next()), "without mTLS there is no caller identity to authorize");
        assertEquals(0, servers.intentions.answered.get(), "the intentions were not even asked for");
    }
}
