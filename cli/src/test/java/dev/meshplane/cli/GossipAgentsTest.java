package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.LeaveRequest;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.gossip.GossipConfig;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Five agents on loopback in one JVM, gossiping over real UDP and TCP: a dev server and four
 * client agents that know only the server's gossip address (-retry-join), and learn its RPC
 * address from its tags. The catalog follows the pool: serfHealth on every node, critical when
 * an agent stops without leaving, the node gone when an agent leaves.
 */
class GossipAgentsTest {
    /** LOCAL preset, TCP timeout raised for a loaded 2-core machine (as the gossip core's UDP tests do). */
    static final GossipConfig TEST_GOSSIP = GossipConfig.local().toBuilder().tcpTimeout(Duration.ofSeconds(5)).build();
    static final Duration WAIT = Duration.ofSeconds(30);

    private final List<Agent> agents = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        agents.forEach(Agent::close);
    }

    static Agent.Settings client(String node, String join, GossipSettings gossip) {
        return new Agent.Settings(Agent.Mode.CLIENT, node, "127.0.0.1", "127.0.0.1", 0, 0, "dc1", List.of(join), 0,
                null, LocalAgentConfig.IN_MEMORY, -1, -1, Agent.DnsSettings.DEFAULTS, gossip);
    }

    private ManagedChannel channel(Agent a) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", a.grpcAddress().getPort()).usePlaintext().build();
        channels.add(ch);
        return ch;
    }

    private static Map<String, String> statuses(ManagedChannel ch) {
        return AgentTesting.agent(ch).members(MembersRequest.getDefaultInstance()).getMembersList().stream()
                .collect(Collectors.toMap(PoolMember::getName, PoolMember::getStatus));
    }

    private static Optional<Check> serfHealth(ManagedChannel ch, String node) {
        try {
            return AgentTesting.catalog(ch).getNode(GetNodeRequest.newBuilder().setNode(node).build()).getChecksList()
                    .stream().filter(c -> c.getCheckId().equals("serfHealth")).findFirst();
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean nodeExists(ManagedChannel ch, String node) {
        try {
            return AgentTesting.catalog(ch).getNode(GetNodeRequest.newBuilder().setNode(node).build()).hasNode();
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    @Test
    void catalogFollowsThePool() throws Exception {
        GossipSettings gossip = GossipSettings.anyPorts(TEST_GOSSIP);
        Agent server = Agent.start(Agent.Settings.dev("g0", 0, 0).withHttpDns(0, -1, Agent.DnsSettings.DEFAULTS)
                .withGossip(gossip));
        agents.add(server);
        String seed = server.gossip().pools().lan().address().toString();
        for (int i = 1; i <= 4; i++) {
            agents.add(Agent.start(client("g" + i, seed, gossip)));
        }
        ManagedChannel ch = channel(server);
        await("5 alive members", WAIT, () -> statuses(ch).values().stream().filter("alive"::equals).count() == 5);
        for (int i = 1; i <= 4; i++) {
            ManagedChannel ci = channel(agents.get(i));
            // The server knowing all five does not mean the news has reached every client yet.
            await("g" + i + " sees every member", WAIT, () -> statuses(ci).size() == 5);
        }
        // Every node has a passing serfHealth; the clients found the server's RPC port in its tags
        // (their only -retry-join address is a gossip address), so their own registrations arrived too.
        for (int i = 0; i <= 4; i++) {
            String node = "g" + i;
            await(node + " serfHealth passing", WAIT, () -> serfHealth(ch, node)
                    .filter(c -> c.getStatus() == HealthStatus.HEALTH_STATUS_PASSING).isPresent());
            Agent a = agents.get(i);
            await(node + " registered by its agent", WAIT, a.sidecar()::nodeRegistered);
        }
        Check check = serfHealth(ch, "g1").orElseThrow();
        assertEquals("Serf Health Status", check.getName());
        assertEquals("Agent alive and reachable", check.getOutput());

        HttpApi http = new HttpApi("http://127.0.0.1:" + server.httpAddress().getPort());
        HttpResponse<String> members = http.get("/v1/agent/members");
        assertEquals(200, members.statusCode());
        JsonNode list = HttpApi.JSON.readTree(members.body());
        assertEquals(5, list.size(), members.body());
        JsonNode g0 = null;
        for (JsonNode m : list) {
            if (m.get("Name").asText().equals("g0")) {
                g0 = m;
            }
        }
        assertEquals("consul", g0.get("Tags").get("role").asText());
        assertEquals(String.valueOf(server.serverAddress().getPort()), g0.get("Tags").get("port").asText());
        assertEquals(1, g0.get("Status").asInt());
        HttpResponse<String> wan = http.get("/v1/agent/members?wan=1");
        assertTrue(wan.statusCode() >= 400 && wan.body().contains("WAN"), "a dev agent has no WAN pool: " + wan.body());

        // g4 stops without leaving: the others declare it failed and its serfHealth goes critical.
        Agent g4 = agents.get(4);
        g4.gossip().pools().close();
        g4.close();
        await("g4 failed", WAIT, () -> "failed".equals(statuses(ch).get("g4")));
        await("g4 serfHealth critical", WAIT, () -> serfHealth(ch, "g4")
                .filter(c -> c.getStatus() == HealthStatus.HEALTH_STATUS_CRITICAL).isPresent());
        assertEquals("Agent not live or unreachable", serfHealth(ch, "g4").orElseThrow().getOutput());
        assertTrue(nodeExists(ch, "g4"), "a failed node stays in the catalog");

        // g3 leaves through its API: seen as left (not failed), and its node is deregistered.
        ManagedChannel c3 = channel(agents.get(3));
        AgentTesting.agent(c3).leave(LeaveRequest.getDefaultInstance());
        await("g3 left", WAIT, () -> "left".equals(statuses(ch).get("g3")));
        await("g3 deregistered", WAIT, () -> !nodeExists(ch, "g3"));
        assertEquals("alive", statuses(ch).get("g1"));
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, serfHealth(ch, "g1").orElseThrow().getStatus());
    }
}
