package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.agent;
import static dev.meshplane.cli.AgentTesting.await;
import static dev.meshplane.cli.AgentTesting.catalog;
import static dev.meshplane.cli.AgentTesting.catalogCheck;
import static dev.meshplane.cli.AgentTesting.node;
import static dev.meshplane.cli.AgentTesting.ttl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.AliasCheck;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ListLocalChecksRequest;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.RegisterCheckRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.ScriptCheck;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import dev.meshplane.sidecar.checks.ChecksConfig;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checks registered with a real dev agent, as the catalog sees them. */
class AgentChecksTest {
    private static final String NODE = "node-checks";

    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension(NODE, AgentTesting.fast());

    private static HealthStatus catalogStatus(String checkId) {
        return catalogCheck(DEV.channel(), NODE, checkId).map(Check::getStatus).orElse(HealthStatus.UNRECOGNIZED);
    }

    private static LocalCheck localCheck(String id) {
        return agent(DEV.channel()).listLocalChecks(ListLocalChecksRequest.getDefaultInstance()).getChecksList()
                .stream().filter(c -> c.getDefinition().getId().equals(id)).findFirst().orElseThrow();
    }

    private static void pass(String checkId, HealthStatus status, String output) {
        agent(DEV.channel()).updateTtl(UpdateTtlRequest.newBuilder().setCheckId(checkId).setStatus(status)
                .setOutput(output).build());
    }

    @Test
    void aGrpcCheckDrivesTheInstanceHealthInTheCatalog() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("orders", ServingStatus.SERVING);
        Server app = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService()).build().start();
        try {
            int port = ((InetSocketAddress) app.getListenSockets().get(0)).getPort();
            RegisterServiceResponse r = agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                    .setService(Service.newBuilder().setName("orders").setPort(port))
                    .addChecks(CheckDefinition.newBuilder().setInterval(Durations.toProto(Duration.ofMillis(200)))
                            .setGrpc(GrpcCheck.newBuilder().setTarget("127.0.0.1:" + port + "/orders")))
                    .build());
            assertTrue(r.getSynced());
            assertTrue(r.getIndex() > 0);
            Check initial = catalogCheck(DEV.channel(), NODE, "service:orders").orElseThrow();
            assertEquals("grpc", initial.getType());
            assertEquals("orders", initial.getServiceName());
            await("passing in the catalog", Duration.ofSeconds(10),
                    () -> catalogStatus("service:orders") == HealthStatus.HEALTH_STATUS_PASSING);
            health.setStatus("orders", ServingStatus.NOT_SERVING);
            await("critical in the catalog", Duration.ofSeconds(10),
                    () -> catalogStatus("service:orders") == HealthStatus.HEALTH_STATUS_CRITICAL);
            assertTrue(catalogCheck(DEV.channel(), NODE, "service:orders").orElseThrow().getOutput()
                    .endsWith("/orders: NOT_SERVING"));
        } finally {
            app.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            agent(DEV.channel()).deregisterService(dev.meshplane.proto.v1.DeregisterServiceRequest.newBuilder()
                    .setServiceId("orders").build());
        }
    }

    @Test
    void outputOnlyChangesAreNotWrittenButStatusChangesAreAtOnce() throws Exception {
        agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName("reporter"))
                .addChecks(CheckDefinition.newBuilder().setId("reporter-ttl").setTtl(ttl(Duration.ofMinutes(5)))).build());
        pass("reporter-ttl", HealthStatus.HEALTH_STATUS_PASSING, "tick 0");
        await("passing and synced", Duration.ofSeconds(5), () -> localCheck("reporter-ttl").getSynced()
                && catalogStatus("reporter-ttl") == HealthStatus.HEALTH_STATUS_PASSING);
        Check written = catalogCheck(DEV.channel(), NODE, "reporter-ttl").orElseThrow();
        assertEquals("tick 0", written.getOutput());

        for (int i = 1; i <= 20; i++) {
            pass("reporter-ttl", HealthStatus.HEALTH_STATUS_PASSING, "tick " + i);
        }
        LocalCheck local = localCheck("reporter-ttl");
        assertEquals("tick 20", local.getState().getOutput());
        assertFalse(local.getSynced(), "the new output waits for check_update_interval");
        DEV.agent().sidecar().localAgent().syncFullNow(Duration.ofSeconds(5));
        Check after = catalogCheck(DEV.channel(), NODE, "reporter-ttl").orElseThrow();
        assertEquals(written.getModifyIndex(), after.getModifyIndex(), "no catalog write for output churn, even on a full sync");
        assertEquals("tick 0", after.getOutput());

        // A status change triggers a sync pass right away (no 5 min wait); UpdateTtl does not wait for it.
        pass("reporter-ttl", HealthStatus.HEALTH_STATUS_WARNING, "degraded");
        await("warning in the catalog", Duration.ofSeconds(5),
                () -> catalogStatus("reporter-ttl") == HealthStatus.HEALTH_STATUS_WARNING);
        assertEquals("degraded", catalogCheck(DEV.channel(), NODE, "reporter-ttl").orElseThrow().getOutput());
    }

    @Test
    void antiEntropyRestoresWhatWasDeletedBehindTheAgentsBackAndRemovesWhatItDoesNotOwn() throws Exception {
        agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName("sturdy").setPort(7100))
                .addChecks(CheckDefinition.newBuilder().setId("sturdy-ttl").setTtl(ttl(Duration.ofMinutes(5)))
                        .setInitialStatus(HealthStatus.HEALTH_STATUS_PASSING)).build());
        catalog(DEV.channel()).deregister(CatalogDeregisterRequest.newBuilder().setNode(NODE).setServiceId("sturdy").build());
        assertTrue(node(DEV.channel(), NODE).getServicesList().stream().noneMatch(s -> s.getId().equals("sturdy")));
        Node self = node(DEV.channel(), NODE).getNode();
        catalog(DEV.channel()).register(CatalogRegisterRequest.newBuilder()
                .setNode(self.toBuilder().clearCreateIndex().clearModifyIndex())
                .setService(Service.newBuilder().setName("intruder")).build());

        // No call to the agent: its periodic full sync (1 s + jitter in this test) finds the drift.
        await("sturdy back, intruder gone", Duration.ofSeconds(15), () -> {
            var view = node(DEV.channel(), NODE);
            return view.getServicesList().stream().anyMatch(s -> s.getId().equals("sturdy"))
                    && view.getServicesList().stream().noneMatch(s -> s.getId().equals("intruder"));
        });
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, catalogStatus("sturdy-ttl"), "its check came back with it");
        assertEquals(7100, node(DEV.channel(), NODE).getServicesList().stream()
                .filter(s -> s.getId().equals("sturdy")).findFirst().orElseThrow().getPort());
    }

    @Test
    void aServiceCriticalPastDeregisterAfterIsRemoved() throws Exception {
        agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName("doomed"))
                .addChecks(CheckDefinition.newBuilder().setId("doomed-ttl").setTtl(ttl(Duration.ofMinutes(5)))
                        .setDeregisterCriticalServiceAfter(Durations.toProto(Duration.ofSeconds(1)))).build());
        assertTrue(node(DEV.channel(), NODE).getServicesList().stream().anyMatch(s -> s.getId().equals("doomed")));
        await("doomed deregistered", Duration.ofSeconds(10),
                () -> node(DEV.channel(), NODE).getServicesList().stream().noneMatch(s -> s.getId().equals("doomed")));
        assertTrue(DEV.agent().sidecar().localAgent().services().stream().noneMatch(s -> s.getId().equals("doomed")));
    }

    @Test
    void aliasChecksMirrorALocalServiceAndAServiceOnAnotherNode() throws Exception {
        agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName("db"))
                .addChecks(CheckDefinition.newBuilder().setId("db-ttl").setTtl(ttl(Duration.ofMinutes(5)))).build());
        agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                .setService(Service.newBuilder().setName("app"))
                .addChecks(CheckDefinition.newBuilder().setId("app-needs-db")
                        .setAlias(AliasCheck.newBuilder().setServiceId("db"))).build());
        await("alias critical like db", Duration.ofSeconds(5),
                () -> catalogStatus("app-needs-db") == HealthStatus.HEALTH_STATUS_CRITICAL);
        pass("db-ttl", HealthStatus.HEALTH_STATUS_PASSING, "up");
        await("alias passing like db", Duration.ofSeconds(5),
                () -> catalogStatus("app-needs-db") == HealthStatus.HEALTH_STATUS_PASSING);

        Node other = Node.newBuilder().setName("other-node").setAddress("127.0.0.2").build();
        catalog(DEV.channel()).register(CatalogRegisterRequest.newBuilder().setNode(other)
                .setService(Service.newBuilder().setName("cache").setId("cache-1"))
                .addChecks(Check.newBuilder().setCheckId("cache-up").setServiceId("cache-1")
                        .setStatus(HealthStatus.HEALTH_STATUS_PASSING)).build());
        agent(DEV.channel()).registerCheck(RegisterCheckRequest.newBuilder().setCheck(CheckDefinition.newBuilder()
                .setId("remote-cache").setServiceId("app")
                .setAlias(AliasCheck.newBuilder().setServiceId("cache-1").setNode("other-node"))).build());
        await("remote alias passing", Duration.ofSeconds(5),
                () -> catalogStatus("remote-cache") == HealthStatus.HEALTH_STATUS_PASSING);
        catalog(DEV.channel()).register(CatalogRegisterRequest.newBuilder().setNode(other)
                .addChecks(Check.newBuilder().setCheckId("other-node-disk").setStatus(HealthStatus.HEALTH_STATUS_CRITICAL))
                .build());
        await("remote alias follows the node's own checks", Duration.ofSeconds(5),
                () -> catalogStatus("remote-cache") == HealthStatus.HEALTH_STATUS_CRITICAL);
    }

    @Test
    void refusalsNameWhatWasWrong() {
        StatusRuntimeException noInterval = assertThrows(StatusRuntimeException.class, () ->
                agent(DEV.channel()).registerCheck(RegisterCheckRequest.newBuilder().setCheck(CheckDefinition.newBuilder()
                        .setId("t").setTcp(dev.meshplane.proto.v1.TcpCheck.newBuilder().setAddress("127.0.0.1:1")))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noInterval.getStatus().getCode());
        assertEquals("check.interval: must be set for a tcp check", noInterval.getStatus().getDescription());

        StatusRuntimeException unknownService = assertThrows(StatusRuntimeException.class, () ->
                agent(DEV.channel()).registerCheck(RegisterCheckRequest.newBuilder().setCheck(CheckDefinition.newBuilder()
                        .setId("u").setServiceId("ghost").setTtl(ttl(Duration.ofSeconds(10)))).build()));
        assertEquals("check.service_id: \"ghost\" is not registered with this agent",
                unknownService.getStatus().getDescription());

        StatusRuntimeException notTtl = assertThrows(StatusRuntimeException.class, () -> pass("serfHealth",
                HealthStatus.HEALTH_STATUS_PASSING, ""));
        assertEquals(Status.Code.NOT_FOUND, notTtl.getStatus().getCode());

        StatusRuntimeException badTarget = assertThrows(StatusRuntimeException.class, () ->
                agent(DEV.channel()).registerService(RegisterServiceRequest.newBuilder()
                        .setService(Service.newBuilder().setName("bad"))
                        .addChecks(CheckDefinition.newBuilder().setInterval(Durations.toProto(Duration.ofSeconds(1)))
                                .setGrpc(GrpcCheck.newBuilder().setTarget("no-port"))).build()));
        assertEquals("checks[0].grpc.target: \"no-port\" must be host:port", badTarget.getStatus().getDescription());
        assertTrue(DEV.agent().sidecar().localAgent().services().stream().noneMatch(s -> s.getId().equals("bad")),
                "nothing was registered");
    }

    @Test
    void scriptChecksAreOffUnlessEnabled() {
        ChecksConfig off = ChecksConfig.DEFAULTS;
        var e = assertThrows(dev.meshplane.api.ApiException.class, () -> dev.meshplane.sidecar.checks.CheckDefinitions
                .normalize("check", CheckDefinition.newBuilder().setId("s").setInterval(Durations.toProto(Duration.ofSeconds(1)))
                        .setScript(ScriptCheck.newBuilder().addArgs("true")).build(), off));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("-enable-script-checks"), e.getMessage());
    }
}
