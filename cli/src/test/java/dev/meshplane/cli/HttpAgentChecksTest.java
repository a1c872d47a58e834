package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /v1/agent/checks, /v1/agent/check/*, maintenance, reload and /v1/agent/health/service over a
 * real HTTP connection to a real dev agent (with a config dir, so that reload has work to do).
 */
class HttpAgentChecksTest {
    private static final String NODE = "node-http-checks";
    private static final Path CONFIG_DIR = tempDir();

    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension(NODE, AgentTesting.fast().withConfigDir(CONFIG_DIR),
            Agent.DnsSettings.DEFAULTS);

    private final HttpApi api = new HttpApi(DEV.http());

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("http-agent-checks");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
    }

    private static void badRequest(HttpResponse<String> r, String mentions) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(mentions), "400 body should mention " + mentions + ": " + r.body());
    }

    private JsonNode agentCheck(String id) {
        return HttpApi.json(api.get("/v1/agent/checks")).path(id);
    }

    /** The check as the catalog's /v1/health/checks/:service shows it, once it has the expected status. */
    private JsonNode awaitCatalogStatus(String service, String checkId, String status) throws InterruptedException {
        JsonNode[] found = new JsonNode[1];
        AgentTesting.await(checkId + " " + status + " in /v1/health/checks/" + service, Duration.ofSeconds(10), () -> {
            for (JsonNode c : HttpApi.json(api.get("/v1/health/checks/" + service))) {
                if (c.get("CheckID").asText().equals(checkId) && c.get("Status").asText().equals(status)) {
                    found[0] = c;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void ttlCheckRegisteredPassedWarnedFailedAndUpdatedReachesTheCatalog() throws Exception {
        ok(api.put("/v1/agent/service/register", "{\"Name\": \"billing\", \"Port\": 7000}"));
        ok(api.put("/v1/agent/check/register", """
                {"Name": "billing heartbeat", "CheckID": "billing-ttl", "ServiceID": "billing", "TTL": "30s",
                 "Notes": "pushed by the app"}"""));
        JsonNode local = agentCheck("billing-ttl");
        assertEquals("critical", local.get("Status").asText(), "a new check starts critical");
        assertEquals("billing heartbeat", local.get("Name").asText());
        assertEquals("billing", local.get("ServiceName").asText());
        assertEquals("ttl", local.get("Type").asText());
        assertEquals(NODE, local.get("Node").asText());

        ok(api.put("/v1/agent/check/pass/billing-ttl?note=all%20good", ""));
        assertEquals("all good", agentCheck("billing-ttl").get("Output").asText());
        JsonNode catalog = awaitCatalogStatus("billing", "billing-ttl", "passing");
        assertEquals("all good", catalog.get("Output").asText());
        assertEquals(1, HttpApi.json(api.get("/v1/health/service/billing?passing")).size());

        ok(api.put("/v1/agent/check/warn/billing-ttl", ""));
        awaitCatalogStatus("billing", "billing-ttl", "warning");
        ok(api.put("/v1/agent/check/fail/billing-ttl?note=db%20down", ""));
        awaitCatalogStatus("billing", "billing-ttl", "critical");
        ok(api.put("/v1/agent/check/update/billing-ttl", "{\"Status\": \"passing\", \"Output\": \"recovered\"}"));
        assertEquals("recovered", awaitCatalogStatus("billing", "billing-ttl", "passing").get("Output").asText());

        // An over-long output is cut (as Consul does) rather than refused: a refused heartbeat would expire.
        ok(api.put("/v1/agent/check/update/billing-ttl", "{\"Status\": \"passing\", \"Output\": \"" + "x".repeat(5000)
                + "\"}"));
        String output = agentCheck("billing-ttl").get("Output").asText();
        assertEquals(4096, output.length());
        assertTrue(output.endsWith("of 5000 characters"), output.substring(4000));

        badRequest(api.put("/v1/agent/check/update/billing-ttl", "{\"Status\": \"fine\"}"), "Invalid check status: 'fine'");
        badRequest(api.put("/v1/agent/check/update/billing-ttl", ""), "Request decode failed");
        badRequest(api.put("/v1/agent/check/update/billing-ttl", "{\"Status\": 1}"), "Status");
        HttpResponse<String> unknown = api.put("/v1/agent/check/pass/no-such-check", "");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("no-such-check"), unknown.body());
        badRequest(api.put("/v1/agent/check/pass/", ""), "Missing check ID");
        assertEquals(405, api.get("/v1/agent/check/pass/billing-ttl").statusCode());

        ok(api.put("/v1/agent/check/deregister/billing-ttl", ""));
        assertTrue(agentCheck("billing-ttl").isMissingNode());
        AgentTesting.await("billing-ttl gone from the catalog", Duration.ofSeconds(10),
                () -> !api.get("/v1/health/checks/billing").body().contains("billing-ttl"));
        assertEquals(404, api.put("/v1/agent/check/deregister/billing-ttl", "").statusCode());
    }

    @Test
    void everySupportedKindRegistersAndBadDefinitionsAreRefusedByName() throws Exception {
        String[] bodies = {
            "{\"Name\": \"web http\", \"ID\": \"k-http\", \"HTTP\": \"http://127.0.0.1:1/health\", \"Interval\": \"10s\","
                    + " \"Method\": \"HEAD\", \"Header\": {\"X-Probe\": [\"1\"]}, \"Timeout\": \"1s\"}",
            "{\"Name\": \"web tcp\", \"ID\": \"k-tcp\", \"TCP\": \"127.0.0.1:1\", \"Interval\": \"10s\"}",
            "{\"Name\": \"web grpc\", \"ID\": \"k-grpc\", \"GRPC\": \"127.0.0.1:1/web\", \"Interval\": \"10s\"}",
            "{\"Name\": \"disk\", \"ID\": \"k-script\", \"Args\": [\"/bin/true\"], \"Interval\": \"10s\"}",
            "{\"Name\": \"beat\", \"ID\": \"k-ttl\", \"TTL\": \"1m\", \"Status\": \"passing\"}",
        };
        String[] types = {"http", "tcp", "grpc", "script", "ttl"};
        // On a service of their own: failing node-level checks would take every service of the node down.
        ok(api.put("/v1/agent/service/register", "{\"Name\": \"kinds\"}"));
        for (int i = 0; i < bodies.length; i++) {
            ok(api.put("/v1/agent/check/register", bodies[i].replaceFirst("\\{", "{\"ServiceID\": \"kinds\", ")));
            String id = HttpApi.JSON.readTree(bodies[i]).get("ID").asText();
            assertEquals(types[i], agentCheck(id).get("Type").asText(), bodies[i]);
        }
        assertEquals("passing", agentCheck("k-ttl").get("Status").asText(), "Status sets the initial state");
        AgentTesting.await("the script check /bin/true passes", Duration.ofSeconds(10),
                () -> agentCheck("k-script").get("Status").asText().equals("passing"));
        HttpResponse<String> notTtl = api.put("/v1/agent/check/pass/k-http", "");
        assertEquals(409, notTtl.statusCode(), notTtl.body());
        assertTrue(notTtl.body().contains("only TTL checks"), notTtl.body());

        badRequest(api.put("/v1/agent/check/register", "{\"TTL\": \"10s\"}"), "Missing check name");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"two\", \"TTL\": \"10s\", \"TCP\": \"a:1\"}"),
                "exactly one of TTL, HTTP, TCP, GRPC, Args or AliasService");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"none\"}"), "(got 0)");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"d\", \"DockerContainerID\": \"abc\","
                + " \"Args\": [\"x\"], \"Interval\": \"10s\"}"), "DockerContainerID");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"s\", \"Script\": \"true\"}"), "give Args");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"t\", \"TTL\": \"ten seconds\"}"), "TTL");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"i\", \"HTTP\": \"http://x/\"}"), "interval");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"u\", \"HTTP\": \"ftp://x/\", \"Interval\": \"5s\"}"),
                "url");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"st\", \"TTL\": \"10s\", \"Status\": \"great\"}"),
                "Status");
        badRequest(api.put("/v1/agent/check/register", "{\"Name\": \"o\", \"TTL\": \"10s\", \"ServiceID\": \"ghost\"}"),
                "ghost");
        badRequest(api.put("/v1/agent/check/register", "[1]"), "expected a JSON object");
        badRequest(api.put("/v1/agent/check/register?dc=dc9", "{\"Name\": \"x\", \"TTL\": \"10s\"}"), "dc9");
        badRequest(api.get("/v1/agent/checks?filter=Status%20==%20passing"), "filter");
    }

    @Test
    void maintenanceOfAServiceAndOfTheNodeShowsInAgentHealth() throws Exception {
        ok(api.put("/v1/agent/service/register", """
                {"Name": "cart", "ID": "cart-1", "Port": 7100, "Check": {"CheckID": "cart-1-ttl", "TTL": "1m",
                 "Status": "passing"}}"""));
        ok(api.put("/v1/agent/service/register", """
                {"Name": "cart", "ID": "cart-2", "Port": 7101, "Check": {"CheckID": "cart-2-ttl", "TTL": "1m",
                 "Status": "passing"}}"""));
        HttpResponse<String> healthy = api.get("/v1/agent/health/service/name/cart");
        assertEquals(200, healthy.statusCode(), healthy.body());
        JsonNode both = HttpApi.json(healthy);
        assertEquals(2, both.size());
        assertEquals("passing", both.get(0).get("AggregatedStatus").asText());
        assertEquals("cart", both.get(0).get("Service").get("Service").asText());
        assertEquals(1, both.get(0).get("Checks").size());
        assertEquals("passing", api.get("/v1/agent/health/service/id/cart-1?format=text").body());

        ok(api.put("/v1/agent/check/warn/cart-2-ttl", ""));
        assertEquals(429, api.get("/v1/agent/health/service/name/cart").statusCode(), "the worst instance decides");
        assertEquals(200, api.get("/v1/agent/health/service/id/cart-1").statusCode());
        HttpResponse<String> warning = api.get("/v1/agent/health/service/id/cart-2");
        assertEquals(429, warning.statusCode());
        assertEquals("warning", HttpApi.json(warning).get("AggregatedStatus").asText());

        ok(api.put("/v1/agent/service/maintenance/cart-1?enable=true&reason=upgrading", ""));
        HttpResponse<String> inMaintenance = api.get("/v1/agent/health/service/id/cart-1");
        assertEquals(503, inMaintenance.statusCode());
        assertEquals("maintenance", HttpApi.json(inMaintenance).get("AggregatedStatus").asText());
        assertEquals("upgrading", agentCheck("_service_maintenance:cart-1").get("Notes").asText());
        assertEquals(503, api.get("/v1/agent/health/service/name/cart").statusCode());
        AgentTesting.await("cart-1 out of /v1/health/service/cart?passing", Duration.ofSeconds(10),
                () -> !api.get("/v1/health/service/cart?passing").body().contains("\"cart-1\""));
        ok(api.put("/v1/agent/service/maintenance/cart-1?enable=false", ""));
        assertTrue(agentCheck("_service_maintenance:cart-1").isMissingNode());
        assertEquals(200, api.get("/v1/agent/health/service/id/cart-1").statusCode());

        ok(api.put("/v1/agent/maintenance?enable=1&reason=kernel", ""));
        assertEquals("maintenance", agentCheck("_node_maintenance").get("Status").asText());
        assertEquals("maintenance", api.get("/v1/agent/health/service/id/cart-1?format=text").body(),
                "node maintenance takes every instance down");
        ok(api.put("/v1/agent/maintenance?enable=false", ""));
        assertTrue(agentCheck("_node_maintenance").isMissingNode());

        badRequest(api.put("/v1/agent/maintenance", ""), "Missing value for enable");
        badRequest(api.put("/v1/agent/maintenance?enable=maybe", ""), "Invalid value for enable: \"maybe\"");
        badRequest(api.put("/v1/agent/service/maintenance/cart-1", ""), "Missing value for enable");
        HttpResponse<String> ghost = api.put("/v1/agent/service/maintenance/ghost?enable=true", "");
        assertEquals(404, ghost.statusCode());
        assertTrue(ghost.body().contains("ghost"), ghost.body());
        badRequest(api.put("/v1/agent/maintenance?enable=true&reason=" + "r".repeat(1100), ""), "reason");

        HttpResponse<String> noName = api.get("/v1/agent/health/service/name/nobody");
        assertEquals(404, noName.statusCode());
        assertEquals("[]", noName.body());
        assertEquals("ServiceName nobody Not Found", api.get("/v1/agent/health/service/name/nobody?format=text").body());
        HttpResponse<String> noId = api.get("/v1/agent/health/service/id/nobody");
        assertEquals(404, noId.statusCode());
        assertEquals("critical", HttpApi.json(noId).get("AggregatedStatus").asText());
        badRequest(api.get("/v1/agent/health/service/id/"), "Missing serviceID");
    }

    @Test
    void reloadReadsTheConfigDir() throws Exception {
        Files.writeString(CONFIG_DIR.resolve("ledger.json"), "{\"service\": {\"name\": \"ledger\", \"port\": 7200}}");
        ok(api.put("/v1/agent/reload", ""));
        assertEquals(7200, HttpApi.json(api.get("/v1/agent/services")).get("ledger").get("Port").asInt());
        Files.writeString(CONFIG_DIR.resolve("ledger.json"), "{\"service\": {\"name\": \"ledger\", \"port\": \"x\"}}");
        HttpResponse<String> bad = api.put("/v1/agent/reload", "");
        assertEquals(409, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("ledger.json"), bad.body());
        assertEquals(7200, HttpApi.json(api.get("/v1/agent/services")).get("ledger").get("Port").asInt(),
                "a bad file changes nothing");
        Files.delete(CONFIG_DIR.resolve("ledger.json"));
        ok(api.put("/v1/agent/reload", ""));
        assertTrue(HttpApi.json(api.get("/v1/agent/services")).path("ledger").isMissingNode());
        assertEquals(405, api.get("/v1/agent/reload").statusCode());
    }
}
