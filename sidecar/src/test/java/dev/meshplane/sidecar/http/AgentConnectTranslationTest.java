package dev.meshplane.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.IntentionAction;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.ServiceConnect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pure parts of the agent check, health, Connect and intention endpoints. */
class AgentConnectTranslationTest {
    private static JsonIn json(String s) {
        return JsonIn.parseObject(s.getBytes(StandardCharsets.UTF_8));
    }

    private static LocalCheck check(String serviceId, HealthStatus status) {
        return LocalCheck.newBuilder().setState(Check.newBuilder().setServiceId(serviceId).setStatus(status)).build();
    }

    @Test
    void overLongTtlOutputIsCutToTheLimitAndSaysSo() {
        assertEquals("short", AgentCheckEndpoints.truncate("short"));
        String cut = AgentCheckEndpoints.truncate("y".repeat(10_000));
        assertEquals(4096, cut.length());
        assertTrue(cut.endsWith("Captured " + cut.indexOf('\n') + " of 10000 characters"), cut.substring(4000));
    }

    @Test
    void aggregatedHealthTakesTheWorstCheckOfTheInstanceAndTheNode() {
        List<LocalCheck> checks = List.of(check("a", HealthStatus.HEALTH_STATUS_PASSING),
                check("b", HealthStatus.HEALTH_STATUS_CRITICAL), check("c", HealthStatus.HEALTH_STATUS_WARNING));
        assertEquals("passing", AgentHealthEndpoints.aggregated("a", checks));
        assertEquals("critical", AgentHealthEndpoints.aggregated("b", checks));
        assertEquals("warning", AgentHealthEndpoints.aggregated("c", checks));
        assertEquals("passing", AgentHealthEndpoints.aggregated("none", checks), "no checks is passing");
        List<LocalCheck> nodeDown = List.of(check("a", HealthStatus.HEALTH_STATUS_WARNING),
                check("", HealthStatus.HEALTH_STATUS_CRITICAL));
        assertEquals("critical", AgentHealthEndpoints.aggregated("a", nodeDown));
        List<LocalCheck> maintenance = List.of(check("a", HealthStatus.HEALTH_STATUS_CRITICAL),
                check("a", HealthStatus.HEALTH_STATUS_MAINTENANCE));
        assertEquals("maintenance", AgentHealthEndpoints.aggregated("a", maintenance));
        assertEquals(200, AgentHealthEndpoints.code("passing"));
        assertEquals(429, AgentHealthEndpoints.code("warning"));
        assertEquals(503, AgentHealthEndpoints.code("critical"));
        assertEquals(503, AgentHealthEndpoints.code("maintenance"));
    }

    @Test
    void intentionIdsAreStablePerPairAndDistinctAcrossPairs() {
        String id = IntentionJson.id("web", "db");
        assertEquals(id, IntentionJson.id("web", "db"));
        assertEquals(3, UUID.fromString(id).version());
        assertNotEquals(id, IntentionJson.id("db", "web"));
        assertNotEquals(IntentionJson.id("a", "bc"), IntentionJson.id("ab", "c"));
    }

    @Test
    void intentionBodiesAreReadOrRefusedByName() {
        assertEquals(IntentionAction.INTENTION_ACTION_DENY,
                IntentionJson.body(json("{\"action\": \"deny\", \"Description\": \"d\"}")).getAction());
        assertTrue(assertThrows(HttpError.class, () -> IntentionJson.body(json("{}"))).getMessage()
                .contains("Action must be set to 'allow' or 'deny'"));
        assertTrue(assertThrows(HttpError.class, () -> IntentionJson.body(json(
                "{\"Action\": \"allow\", \"SourceNS\": \"team\"}"))).getMessage().contains("SourceNS"));
        assertTrue(assertThrows(HttpError.class, () -> IntentionJson.body(json(
                "{\"Action\": \"allow\", \"SourceType\": \"external-uri\"}"))).getMessage().contains("SourceType"));
        IntentionJson.body(json("{\"Action\": \"allow\", \"Permissions\": []}"));
    }

    @Test
    void connectBlocksAreReadAsConsulWritesThem() {
        assertEquals(Optional.empty(), ConsulConnect.parse(json("{\"Name\": \"a\"}")));
        assertEquals(Optional.empty(), ConsulConnect.parse(json("{\"Connect\": {\"Native\": false}}")));
        assertTrue(ConsulConnect.parse(json("{\"Connect\": {\"Native\": true}}")).orElseThrow().getNative());
        ServiceConnect sidecar = ConsulConnect.parse(json("""
                {"connect": {"sidecar_service": {"port": 21000, "proxy": {"local_service_port": 8080,
                 "upstreams": [{"destination_name": "db", "local_bind_port": 9191}]}}}}""")).orElseThrow();
        assertEquals(21000, sidecar.getSidecarService().getPort());
        assertEquals(8080, sidecar.getSidecarService().getProxy().getLocalServicePort());
        assertEquals("db", sidecar.getSidecarService().getProxy().getUpstreams(0).getDestinationName());
        assertTrue(assertThrows(HttpError.class, () -> ConsulConnect.parse(json(
                "{\"Connect\": {\"SidecarService\": {\"Proxy\": {\"Upstreams\": {}}}}}"))).getMessage()
                .contains("Connect.SidecarService.Proxy.Upstreams"));
    }

    @Test
    void checkKindsThisAgentDoesNotRunAreRefusedByName() {
        for (String kind : List.of("DockerContainerID", "Shell", "H2PING", "UDP", "OSService")) {
            HttpError e = assertThrows(HttpError.class, () -> CheckDefinitions.definition(json(
                    "{\"Name\": \"n\", \"" + kind + "\": \"x\", \"Interval\": \"10s\"}")));
            assertTrue(e.getMessage().contains(kind) && e.getMessage().contains("not supported"), e.getMessage());
        }
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, CheckDefinitions.definition(json(
                "{\"Name\": \"n\", \"TTL\": \"10s\", \"Status\": \"passing\"}")).getInitialStatus());
    }
}
