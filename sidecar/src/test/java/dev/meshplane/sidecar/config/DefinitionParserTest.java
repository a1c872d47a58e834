package dev.meshplane.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Consul-format service definitions, in both spellings. */
class DefinitionParserTest {
    private final List<String> warnings = new ArrayList<>();

    private Definitions parse(String json) {
        return new DefinitionParser(warnings::add).parse("web.json", json).result(1);
    }

    @Test
    void snakeCaseDefinitionWithAGrpcCheck() {
        Definitions d = parse("""
                {"service": {"name": "web", "id": "web-1", "tags": ["v1", "primary"], "address": "10.0.0.5",
                  "port": 8080, "meta": {"team": "shop"}, "enable_tag_override": true,
                  "weights": {"passing": 10, "warning": 1},
                  "check": {"id": "web-grpc", "grpc": "127.0.0.1:8080/web", "grpc_use_tls": true,
                    "tls_server_name": "web.internal", "tls_skip_verify": false, "interval": "10s", "timeout": "1s",
                    "success_before_passing": 2, "failures_before_warning": 1, "failures_before_critical": 3,
                    "deregister_critical_service_after": "90m", "status": "passing"}}}
                """);
        assertEquals(1, d.services().size());
        Service s = d.services().get(0).service();
        assertEquals("web-1", s.getId());
        assertEquals(List.of("v1", "primary"), s.getTagsList());
        assertEquals(8080, s.getPort());
        assertEquals("shop", s.getMetaMap().get("team"));
        assertTrue(s.getEnableTagOverride());
        assertEquals(10, s.getWeights().getPassing());
        CheckDefinition c = d.services().get(0).checks().get(0);
        assertEquals("web-grpc", c.getId());
        assertEquals("127.0.0.1:8080/web", c.getGrpc().getTarget());
        assertTrue(c.getGrpc().getTls().getEnabled());
        assertEquals("web.internal", c.getGrpc().getTls().getServerName());
        assertEquals(Duration.ofSeconds(10), Durations.toJava(c.getInterval()));
        assertEquals(Duration.ofSeconds(1), Durations.toJava(c.getTimeout()));
        assertEquals(Duration.ofMinutes(90), Durations.toJava(c.getDeregisterCriticalServiceAfter()));
        assertEquals(2, c.getSuccessBeforePassing());
        assertEquals(3, c.getFailuresBeforeCritical());
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, c.getInitialStatus());
        assertEquals(List.of(), warnings);
    }

    @Test
    void camelCaseSpellingsFromConsulsApiWorkUnchanged() {
        Definitions d = parse("""
                {"services": [
                  {"Name": "api", "ID": "api-1", "Port": 9090, "Tags": ["x"], "EnableTagOverride": false,
                   "Checks": [
                     {"CheckID": "api-http", "HTTP": "https://localhost:9090/health", "Method": "HEAD",
                      "Header": {"X-Token": ["a", "b"]}, "TLSSkipVerify": true, "Interval": "5s"},
                     {"Name": "api-ttl", "TTL": "30s", "Notes": "reported by the app"},
                     {"ScriptArgs": ["/bin/check", "--fast"], "Interval": "1m"},
                     {"AliasService": "db-1", "AliasNode": "node-9"},
                     {"TCP": "localhost:9090", "Interval": "10s", "DeregisterCriticalServiceAfter": "1m30s"}]},
                  {"name": "worker"}]}
                """);
        assertEquals(2, d.services().size());
        List<CheckDefinition> checks = d.services().get(0).checks();
        assertEquals(5, checks.size());
        assertEquals("api-http", checks.get(0).getId());
        assertEquals("HEAD", checks.get(0).getHttp().getMethod());
        assertEquals(List.of("a", "b"), checks.get(0).getHttp().getHeadersMap().get("X-Token").getValuesList());
        assertTrue(checks.get(0).getHttp().getTls().getSkipVerify());
        assertEquals(Duration.ofSeconds(30), Durations.toJava(checks.get(1).getTtl().getTtl()));
        assertEquals("reported by the app", checks.get(1).getNotes());
        assertEquals(List.of("/bin/check", "--fast"), checks.get(2).getScript().getArgsList());
        assertEquals("node-9", checks.get(3).getAlias().getNode());
        assertEquals(Duration.ofSeconds(90), Durations.toJava(checks.get(4).getDeregisterCriticalServiceAfter()));
        assertEquals("worker", d.services().get(1).service().getName());
    }

    @Test
    void unknownFieldsAreToleratedWithAWarningNamingFileAndField() {
        Definitions d = parse("""
                {"datacenter": "dc1", "service": {"name": "web", "token": "secret", "tagged_addresses": {},
                  "check": {"tcp": "127.0.0.1:80", "interval": "10s", "disable_redirects": true}}}
                """);
        assertEquals(1, d.services().size());
        assertEquals(List.of(
                "web.json: check: unknown field \"disable_redirects\"; ignored".replace("check:", "service.check:"),
                "web.json: service: unknown field \"token\"; ignored",
                "web.json: service: unknown field \"tagged_addresses\"; ignored",
                "web.json: field \"datacenter\" is not a service or check definition; ignored"), warnings);
    }

    @Test
    void nodeLevelChecks() {
        Definitions d = parse("""
                {"checks": [{"id": "mem", "args": ["free"], "interval": "30s"}], "check": {"id": "disk", "ttl": "1m"}}
                """);
        assertEquals(0, d.services().size());
        assertEquals(List.of("disk", "mem"), d.checks().stream().map(c -> c.value().getId()).sorted().toList());
    }

    @Test
    void errorsNameTheFileAndTheField() {
        assertMessage("web.json: not valid JSON", "{\"service\": {\"name\": }");
        assertMessage("web.json: service.port: expected a whole number, found a string",
                "{\"service\": {\"name\": \"web\", \"port\": \"80\"}}");
        assertMessage("web.json: service.check.interval: \"10 seconds\" is not a duration",
                "{\"service\": {\"name\": \"web\", \"check\": {\"tcp\": \"a:1\", \"interval\": \"10 seconds\"}}}");
        assertMessage("web.json: services[0].checks[0]: a check has exactly one of grpc, http, tcp, ttl, args and "
                + "alias_service; found http and tcp", "{\"services\": [{\"name\": \"web\", \"checks\": "
                + "[{\"http\": \"http://a/\", \"tcp\": \"a:1\", \"interval\": \"1s\"}]}]}");
        assertMessage("web.json: service.check: a check needs one of", "{\"service\": {\"name\": \"w\", \"check\": {}}}");
        assertMessage("web.json: service.check.h2ping: this kind of check is not supported",
                "{\"service\": {\"name\": \"w\", \"check\": {\"h2ping\": \"a:1\"}}}");
        assertMessage("web.json: service.check.status: \"ok\" is not passing, warning or critical",
                "{\"service\": {\"name\": \"w\", \"check\": {\"ttl\": \"1s\", \"status\": \"ok\"}}}");
        assertMessage("web.json: service: \"ID\" and \"id\" are the same field",
                "{\"service\": {\"ID\": \"a\", \"id\": \"b\", \"name\": \"w\"}}");
        assertMessage("web.json: services: expected a list", "{\"services\": {\"name\": \"w\"}}");
    }

    private void assertMessage(String start, String json) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(10), GoDurations.parse("10s"));
        assertEquals(Duration.ofSeconds(90), GoDurations.parse("1m30s"));
        assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
        assertEquals(Duration.ofMillis(250), GoDurations.parse("250ms"));
        assertEquals(Duration.ofHours(72), GoDurations.parse("72h"));
        assertEquals(Duration.ZERO, GoDurations.parse("0"));
        assertNull(GoDurations.parse("10"));
        assertNull(GoDurations.parse("-5s"));
        assertNull(GoDurations.parse("5 s"));
        assertNull(GoDurations.parse("1d"));
    }
}
