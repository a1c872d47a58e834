package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.agent;
import static dev.meshplane.cli.AgentTesting.await;
import static dev.meshplane.cli.AgentTesting.catalogCheck;
import static dev.meshplane.cli.AgentTesting.node;
import static dev.meshplane.cli.AgentTesting.ttl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.SetMaintenanceRequest;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client-mode agent with a data dir next to a dev server: what it acknowledged survives a
 * restart, including TTL check state; and what it accepted while the servers were away reaches
 * the catalog once they are back.
 */
class AgentRestartTest {
    private static Agent client(String node, int serverPort, LocalAgentConfig local) throws Exception {
        return Agent.start(new Agent.Settings(Agent.Mode.CLIENT, node, "127.0.0.1", "127.0.0.1", 0, 0, "dc1",
                List.of("127.0.0.1:" + serverPort), 0, null, local, -1, -1, Agent.DnsSettings.DEFAULTS));
    }

    private static Agent devServer(String node, int serverPort) throws Exception {
        return Agent.start(Agent.Settings.dev(node, serverPort, 0, AgentTesting.fast()));
    }

    private static ManagedChannel channel(Agent a) {
        return NettyChannelBuilder.forAddress("127.0.0.1", a.grpcAddress().getPort()).usePlaintext().build();
    }

    @Test
    void servicesAndTtlStateSurviveARestartWithTheSameDataDir(@TempDir Path dataDir) throws Exception {
        try (Agent server = devServer("server-1", 0)) {
            int serverPort = server.serverAddress().getPort();
            ManagedChannel toServer = channel(server);
            LocalAgentConfig local = AgentTesting.fast().withDataDir(dataDir);
            try (Agent first = client("worker-1", serverPort, local)) {
                ManagedChannel ch = channel(first);
                RegisterServiceResponse r = agent(ch).registerService(RegisterServiceRequest.newBuilder()
                        .setService(Service.newBuilder().setName("billing").setPort(9000))
                        .addChecks(CheckDefinition.newBuilder().setId("billing-ttl").setTtl(ttl(Duration.ofMinutes(10))))
                        .build());
                assertTrue(r.getSynced());
                agent(ch).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("billing-ttl")
                        .setStatus(HealthStatus.HEALTH_STATUS_WARNING).setOutput("queue at 80%").build());
                agent(ch).setMaintenance(SetMaintenanceRequest.newBuilder().setServiceId("billing").setEnable(true)
                        .setReason("migrating").build());
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            try (Agent second = client("worker-1", serverPort, local)) {
                ManagedChannel ch = channel(second);
                var services = second.sidecar().localAgent().services();
                assertEquals(1, services.size());
                assertEquals(9000, services.get(0).getPort());
                Check state = second.sidecar().localAgent().check("billing-ttl").orElseThrow();
                assertEquals(HealthStatus.HEALTH_STATUS_WARNING, state.getStatus(), "TTL state restored, not reset to critical");
                assertEquals("queue at 80%", state.getOutput());
                Check maint = second.sidecar().localAgent().check("_service_maintenance:billing").orElseThrow();
                assertEquals(HealthStatus.HEALTH_STATUS_MAINTENANCE, maint.getStatus(), "maintenance survives too");
                assertEquals("migrating", maint.getNotes());
                await("catalog agrees", Duration.ofSeconds(10), () -> catalogCheck(toServer, "worker-1", "billing-ttl")
                        .map(c -> c.getStatus() == HealthStatus.HEALTH_STATUS_WARNING).orElse(false));
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            toServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void registrationsAcceptedWhileTheServersAreDownReachTheCatalogWhenTheyReturn() throws Exception {
        int serverPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            serverPort = probe.getLocalPort();
        }
        try (Agent lonely = client("worker-2", serverPort, AgentTesting.fast())) {
            ManagedChannel ch = channel(lonely);
            RegisterServiceResponse r = agent(ch).registerService(RegisterServiceRequest.newBuilder()
                    .setService(Service.newBuilder().setName("queue").setPort(5672)).build());
            assertFalse(r.getSynced(), "no server to write to");
            assertEquals(0, r.getIndex());
            assertEquals("queue", lonely.sidecar().localAgent().services().get(0).getName(), "accepted locally");

            CliTest.Result cli = CliTest.meshctl("services", "register", "-name", "mail", "-address",
                    "127.0.0.1:" + lonely.grpcAddress().getPort());
            assertEquals(new CliTest.Result(0, "Registered service: mail (servers unreachable: the agent will sync it when "
                    + "they return)\n", ""), cli);

            try (Agent server = devServer("server-2", serverPort)) {
                ManagedChannel toServer = channel(server);
                await("queue and mail in the catalog", Duration.ofSeconds(20), () -> {
                    var services = node(toServer, "worker-2").getServicesList();
                    return services.stream().anyMatch(s -> s.getId().equals("queue"))
                            && services.stream().anyMatch(s -> s.getId().equals("mail"));
                });
                toServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
