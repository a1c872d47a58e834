package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who owns a node's serfHealth once gossip runs: the leader's reconciler, never the agent
 * itself; and the leader's sweep of catalog nodes that carry serfHealth but are not in the LAN
 * pool. Agents in one JVM over real UDP/TCP and gRPC sockets.
 */
class GossipSerfHealthTest {
    private static final Duration WAIT = GossipAgentsTest.WAIT;
    private static final GossipSettings GOSSIP = GossipSettings.anyPorts(GossipAgentsTest.TEST_GOSSIP);

    private final List<Agent> agents = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        agents.forEach(Agent::close);
    }

    private Agent start(Agent.Settings s) throws Exception {
        Agent a = Agent.start(s);
        agents.add(a);
        return a;
    }

    private ManagedChannel channel(Agent a) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", a.grpcAddress().getPort()).usePlaintext().build();
        channels.add(ch);
        return ch;
    }

    private static Optional<GetNodeResponse> node(ManagedChannel ch, String name) {
        try {
            return Optional.of(AgentTesting.catalog(ch).getNode(GetNodeRequest.newBuilder().setNode(name).build()))
                    .filter(GetNodeResponse::hasNode);
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Check> serfHealth(ManagedChannel ch, String name) {
        return node(ch, name).flatMap(n -> n.getChecksList().stream().filter(c -> c.getCheckId().equals("serfHealth"))
                .findFirst());
    }

    @Test
    void aDevAgentStartsWithItsNodeMarkedByTheReconciler() throws Exception {
        Agent dev = start(Agent.Settings.dev("solo", 0, 0).withGossip(GOSSIP));
        // No waiting: the start returns once the reconciler has written the check.
        Check check = serfHealth(channel(dev), "solo").orElseThrow();
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, check.getStatus());
        assertEquals("Agent alive and reachable", check.getOutput());
    }

    @Test
    void aGossipingAgentRegistersItsNodeWithoutAssertingSerfHealth() throws Exception {
        Agent server = start(Agent.Settings.dev("srv", 0, 0).withGossip(GOSSIP));
        ManagedChannel ch = channel(server);
        String rpc = "127.0.0.1:" + server.serverAddress().getPort();
        // Gossip on, but -retry-join names only the server's RPC port: its pool never meets the
        // server's, so no leader ever marks it, and the agent must not mark itself.
        Agent lone = start(GossipAgentsTest.client("lone", rpc, GOSSIP));
        // Gossip off: nothing watches the node from outside, so the agent asserts the check itself.
        Agent plain = start(GossipAgentsTest.client("plain", rpc, GossipSettings.DISABLED));
        await("both nodes registered", WAIT, () -> lone.sidecar().nodeRegistered() && plain.sidecar().nodeRegistered());
        assertTrue(node(ch, "lone").isPresent());
        assertEquals(Optional.empty(), serfHealth(ch, "lone"), "a gossiping agent leaves serfHealth to the leader");
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, serfHealth(ch, "plain").orElseThrow().getStatus());
        assertEquals(1, AgentTesting.agent(channel(lone)).members(MembersRequest.getDefaultInstance()).getMembersCount(),
                "lone's pool holds only itself");
    }

    @Test
    void theLeaderDeregistersSerfHealthNodesMissingFromThePool() throws Exception {
        Agent server = start(Agent.Settings.dev("g0", 0, 0).withGossip(GOSSIP));
        ManagedChannel ch = channel(server);
        // A node whose agent died while no leader watched (its serfHealth still passing), and an
        // external service registered straight into the catalog, without serfHealth.
        for (String name : List.of("ghost", "external")) {
            CatalogRegisterRequest.Builder r = CatalogRegisterRequest.newBuilder()
                    .setNode(Node.newBuilder().setName(name).setAddress("10.20.30.40"))
                    .setService(Service.newBuilder().setId(name + "-db").setName("db").setPort(5432));
            if (name.equals("ghost")) {
                r.addChecks(Check.newBuilder().setCheckId("serfHealth").setName("Serf Health Status").setType("serf")
                        .setStatus(HealthStatus.HEALTH_STATUS_PASSING));
            }
            AgentTesting.catalog(ch).register(r.build());
        }
        var reconciler = server.server().membership();
        reconciler.setAbsentGrace(Duration.ZERO);
        reconciler.reconcileAll();
        reconciler.awaitIdle(WAIT);
        assertTrue(node(ch, "ghost").isPresent(), "alone in its pool the leader cannot tell absent from not joined yet");

        String seed = server.gossip().pools().lan().address().toString();
        Agent g1 = start(GossipAgentsTest.client("g1", seed, GOSSIP));
        await("g1 serfHealth passing", WAIT, () -> serfHealth(ch, "g1")
                .filter(c -> c.getStatus() == HealthStatus.HEALTH_STATUS_PASSING).isPresent());
        reconciler.reconcileAll();
        reconciler.awaitIdle(WAIT);
        assertFalse(node(ch, "ghost").isPresent(), "serfHealth but not in the pool: deregistered");
        GetNodeResponse external = node(ch, "external").orElseThrow();
        assertEquals(1, external.getServicesCount(), "an external node keeps its services");
        for (String live : List.of("g0", "g1")) {
            assertEquals(HealthStatus.HEALTH_STATUS_PASSING, serfHealth(ch, live).orElseThrow().getStatus(), live);
        }
        await("g1 registered by its agent", WAIT, g1.sidecar()::nodeRegistered);
        assertFalse(serfHealth(ch, "g1").isEmpty(), "its own registration kept the leader's check");
    }
}
