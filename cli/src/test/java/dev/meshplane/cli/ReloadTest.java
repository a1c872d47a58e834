package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -config-dir and `meshctl reload`: services added, changed and removed; a bad file changes nothing. */
class ReloadTest {
    private static final java.util.Map<Agent, ManagedChannel> CHANNELS = new java.util.HashMap<>();

    private static ManagedChannel channelTo(Agent a) {
        return CHANNELS.computeIfAbsent(a, x -> NettyChannelBuilder.forAddress("127.0.0.1", x.grpcAddress().getPort())
                .usePlaintext().build());
    }

    @org.junit.jupiter.api.AfterAll
    static void closeChannels() throws InterruptedException {
        for (ManagedChannel ch : CHANNELS.values()) {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static List<String> ids(Agent a) {
        return a.sidecar().localAgent().services().stream().map(Service::getId).toList();
    }

    @Test
    void reloadAppliesAllFilesOrNone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("web.json"), """
                {"service": {"name": "web", "port": 80, "check": {"ttl": "1m", "status": "passing"}}}
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a definition: ignored");
        LocalAgentConfig local = AgentTesting.fast().withConfigDir(dir);
        try (Agent agent = Agent.start(Agent.Settings.dev("node-reload", 0, 0, local))) {
            String address = "127.0.0.1:" + agent.grpcAddress().getPort();
            assertEquals(List.of("web"), ids(agent));

            Files.writeString(dir.resolve("web.json"), """
                    {"Service": {"Name": "web", "Port": 8080, "Check": {"TTL": "1m", "Status": "passing"}}}
                    """);
            Files.writeString(dir.resolve("api.json"), """
                    {"services": [{"name": "api", "id": "api-1", "port": 9000}, {"name": "api", "id": "api-2"}]}
                    """);
            CliTest.Result ok = CliTest.meshctl("reload", "-address", address);
            assertEquals(new CliTest.Result(0, "Configuration reload: 2 files; added api-1, api-2, changed web, "
                    + "removed none\n", ""), ok);
            assertEquals(List.of("api-1", "api-2", "web"), ids(agent));
            assertEquals(8080, agent.sidecar().localAgent().services().get(2).getPort());

            Path bad = dir.resolve("zz-bad.json");
            Files.writeString(bad, "{\"service\": {\"name\": \"broken\", \"port\": 70000}}");
            Files.delete(dir.resolve("api.json"));
            CliTest.Result refused = CliTest.meshctl("reload", "-address", address);
            assertEquals(1, refused.code());
            assertEquals("Error: failed precondition: config not applied, the running configuration is unchanged: "
                    + bad + ": service.port: 70000 is out of range 0-65535\n", refused.err());
            assertEquals(List.of("api-1", "api-2", "web"), ids(agent), "api stays although its file is gone");

            Files.delete(bad);
            CliTest.Result removed = CliTest.meshctl("reload", "-address", address);
            assertEquals(new CliTest.Result(0, "Configuration reload: 1 files; added none, changed none, "
                    + "removed api-1, api-2\n", ""), removed);
            assertEquals(List.of("web"), ids(agent));
            assertTrue(agent.sidecar().localAgent().check("service:web").isPresent(), "its check kept running");
        }
    }

    @Test
    void aBadFileAtStartFailsTheStartNamingIt(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("db.json");
        Files.writeString(bad, "{\"service\": {\"name\": \"db\", \"check\": {\"grpc\": \"localhost\", \"interval\": \"10s\"}}}");
        try {
            Agent.start(Agent.Settings.dev("node-bad", 0, 0, AgentTesting.fast().withConfigDir(dir))).close();
            throw new AssertionError("the agent started with a bad definition");
        } catch (dev.meshplane.api.ApiException e) {
            assertEquals("cannot read -config-dir " + dir + ": " + bad
                    + ": service.checks[0].grpc.target: \"localhost\" must be host:port", e.getMessage());
        }
    }

    @Test
    void servicesRegisterFromADefinitionFileAndDeregisterById(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cart.json");
        Files.writeString(file, """
                {"service": {"name": "cart", "id": "cart-9", "port": 7009, "unknown_thing": 1,
                  "checks": [{"id": "cart-alive", "ttl": "30s"}]}}
                """);
        try (Agent agent = Agent.start(Agent.Settings.dev("node-file", 0, 0, AgentTesting.fast()))) {
            String address = "127.0.0.1:" + agent.grpcAddress().getPort();
            CliTest.Result r = CliTest.meshctl("services", "register", file.toString(), "-address", address);
            assertEquals(0, r.code(), r.err());
            assertEquals("Registered service: cart-9\n", r.out());
            assertEquals("Warning: " + file + ": service: unknown field \"unknown_thing\"; ignored\n", r.err());
            assertTrue(agent.sidecar().localAgent().check("cart-alive").isPresent());

            CliTest.Result pass = CliTest.meshctl("check", "pass", "cart-alive", "-note", "all good", "-address", address);
            assertEquals(new CliTest.Result(0, "Check cart-alive: passing\n", ""), pass);
            CliTest.Result list = CliTest.meshctl("check", "list", "-address", address);
            assertTrue(list.out().lines().anyMatch(l -> l.matches("cart-alive\\s+cart-9\\s+ttl\\s+passing\\s+yes\\s+all good")),
                    list.out());

            CliTest.Result maint = CliTest.meshctl("maint", "-enable", "-service", "cart-9", "-reason", "upgrading",
                    "-address", address);
            assertEquals(new CliTest.Result(0, "Service cart-9 is in maintenance (check _service_maintenance:cart-9)\n", ""),
                    maint);
            var check = AgentTesting.catalogCheck(channelTo(agent), "node-file",
                    "_service_maintenance:cart-9").orElseThrow();
            assertEquals(dev.meshplane.proto.v1.HealthStatus.HEALTH_STATUS_MAINTENANCE, check.getStatus());
            assertEquals("upgrading", check.getNotes());
            assertEquals(new CliTest.Result(0, "Node is in maintenance (check _node_maintenance)\n", ""),
                    CliTest.meshctl("maint", "-enable", "-address", address));
            assertEquals(new CliTest.Result(0, "Node left maintenance (check _node_maintenance)\n", ""),
                    CliTest.meshctl("maint", "-disable", "-address", address));
            assertTrue(AgentTesting.catalogCheck(channelTo(agent), "node-file", "_node_maintenance").isEmpty());
            assertEquals(1, CliTest.meshctl("maint", "-enable", "-service", "ghost", "-address", address).code());
            assertEquals(2, CliTest.meshctl("maint", "-address", address).code(), "-enable or -disable is required");

            assertEquals(new CliTest.Result(0, "Deregistered service: cart-9\n", ""),
                    CliTest.meshctl("services", "deregister", "cart-9", "-address", address));
            assertEquals(List.of(), ids(agent));
            CliTest.Result both = CliTest.meshctl("services", "deregister", "x", "-id", "y", "-address", address);
            assertEquals(2, both.code());
        }
    }
}
