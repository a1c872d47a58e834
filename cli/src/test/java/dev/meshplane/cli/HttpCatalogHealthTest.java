package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /v1/catalog and /v1/health over a real HTTP connection to a real dev agent. */
class HttpCatalogHealthTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-cat");

    private static HttpApi api;

    @BeforeAll
    static void registerNodes() {
        api = new HttpApi(DEV.http());
        // Two external nodes: one healthy "db" in rack a, one whose "db" check is critical in rack b.
        assertEquals("true", api.put("/v1/catalog/register", """
                {"Node": "ext-1", "Address": "10.1.0.1", "NodeMeta": {"rack": "a"}, "SomethingNew": {"x": 1},
                 "Service": {"ID": "db-1", "Service": "db", "Tags": ["primary", "v2"], "Port": 5432,
                             "Meta": {"version": "15"}},
                 "Check": {"CheckID": "db-1-alive", "Name": "db alive", "Status": "passing", "ServiceID": "db-1"}}
                """).body());
        assertEquals("true", api.put("/v1/catalog/register", """
                {"node": "ext-2", "address": "10.1.0.2", "node_meta": {"rack": "b"},
                 "service": {"id": "db-2", "service": "db", "tags": ["replica"], "port": 5433, "address": "10.9.9.9"},
                 "checks": [{"CheckID": "db-2-alive", "Status": "critical", "ServiceID": "db-2", "Output": "down"},
                            {"CheckID": "disk", "Status": "warning"}]}
                """).body());
    }

    @Test
    void catalogListsNodesServicesAndInstances() {
        JsonNode nodes = HttpApi.json(api.get("/v1/catalog/nodes"));
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.get("Node").asText()));
        assertTrue(names.containsAll(List.of("ext-1", "ext-2", "node-cat")), names.toString());
        JsonNode rackA = HttpApi.json(api.get("/v1/catalog/nodes?node-meta=rack:a"));
        assertEquals(1, rackA.size());
        assertEquals("10.1.0.1", rackA.get(0).get("Address").asText());
        assertEquals("a", rackA.get(0).get("Meta").get("rack").asText());

        JsonNode services = HttpApi.json(api.get("/v1/catalog/services"));
        assertEquals("[\"primary\",\"replica\",\"v2\"]", services.get("db").toString());

        HttpResponse<String> db = api.get("/v1/catalog/service/db");
        JsonNode rows = HttpApi.json(db);
        assertEquals(2, rows.size());
        JsonNode first = rows.get(0);
        assertEquals("ext-1", first.get("Node").asText());
        assertEquals("db-1", first.get("ServiceID").asText());
        assertEquals("db", first.get("ServiceName").asText());
        assertEquals(5432, first.get("ServicePort").asInt());
        assertEquals("", first.get("ServiceAddress").asText());
        assertEquals("15", first.get("ServiceMeta").get("version").asText());
        assertEquals("a", first.get("NodeMeta").get("rack").asText());
        assertEquals("10.9.9.9", rows.get(1).get("ServiceAddress").asText());
        assertTrue(HttpApi.index(db) >= 1);

        assertEquals(1, HttpApi.json(api.get("/v1/catalog/service/db?tag=replica")).size());
        assertEquals(1, HttpApi.json(api.get("/v1/catalog/service/db?filter=ServiceTags%20contains%20%22v2%22")).size());
        assertEquals(0, HttpApi.json(api.get("/v1/catalog/service/db?tag=replica&node-meta=rack:a")).size());

        JsonNode node = HttpApi.json(api.get("/v1/catalog/node/ext-2"));
        assertEquals("10.1.0.2", node.get("Node").get("Address").asText());
        assertEquals(5433, node.get("Services").get("db-2").get("Port").asInt());
        HttpResponse<String> unknown = api.get("/v1/catalog/node/nobody");
        assertEquals(200, unknown.statusCode());
        assertEquals("null", unknown.body());
        assertEquals("[\"dc1\"]", api.get("/v1/catalog/datacenters").body());
    }

    @Test
    void healthServiceFiltersByPassingTagMetaAndFilter() {
        JsonNode all = HttpApi.json(api.get("/v1/health/service/db"));
        assertEquals(2, all.size());
        JsonNode entry = all.get(0);
        assertEquals("ext-1", entry.get("Node").get("Node").asText());
        assertEquals("db-1", entry.get("Service").get("ID").asText());
        assertEquals("db", entry.get("Service").get("Service").asText());
        assertEquals(1, entry.get("Service").get("Weights").get("Passing").asInt());
        assertEquals("passing", entry.get("Checks").get(0).get("Status").asText());

        JsonNode passing = HttpApi.json(api.get("/v1/health/service/db?passing"));
        assertEquals(1, passing.size());
        assertEquals("db-1", passing.get(0).get("Service").get("ID").asText());
        assertEquals(2, HttpApi.json(api.get("/v1/health/service/db?passing=false")).size());
        assertEquals(1, HttpApi.json(api.get("/v1/health/service/db?tag=primary&tag=v2")).size());
        assertEquals(0, HttpApi.json(api.get("/v1/health/service/db?tag=primary&tag=replica")).size());
        assertEquals(1, HttpApi.json(api.get("/v1/health/service/db?node-meta=rack:b")).size());
        String filter = java.net.URLEncoder.encode("Service.Tags contains \"replica\" and Node.Meta.rack == \"b\"",
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        JsonNode filtered = HttpApi.json(api.get("/v1/health/service/db?filter=" + filter));
        assertEquals(1, filtered.size());
        assertEquals("db-2", filtered.get(0).get("Service").get("ID").asText());
        HttpResponse<String> unsupported = api.get("/v1/health/service/db?filter=Service.Port%20%3E%205000");
        assertEquals(400, unsupported.statusCode());
        assertTrue(unsupported.body().contains("supported here"), unsupported.body());
    }

    @Test
    void healthChecksByServiceNodeAndState() {
        JsonNode serviceChecks = HttpApi.json(api.get("/v1/health/checks/db"));
        List<String> ids = new ArrayList<>();
        serviceChecks.forEach(c -> ids.add(c.get("CheckID").asText()));
        assertEquals(List.of("db-1-alive", "db-2-alive"), ids);
        JsonNode node = HttpApi.json(api.get("/v1/health/node/ext-2"));
        assertEquals(2, node.size());
        JsonNode critical = HttpApi.json(api.get("/v1/health/state/critical"));
        assertEquals(1, critical.size());
        assertEquals("down", critical.get(0).get("Output").asText());
        assertEquals("db", critical.get(0).get("ServiceName").asText());
        assertEquals(1, HttpApi.json(api.get("/v1/health/state/warning")).size());
        assertTrue(HttpApi.json(api.get("/v1/health/state/any")).size() >= 4);
        HttpResponse<String> bad = api.get("/v1/health/state/sideways");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("sideways"), bad.body());
    }

    @Test
    void blockingHealthQueryIsWokenByARegistration() throws Exception {
        HttpResponse<String> now = api.get("/v1/health/service/cache");
        assertEquals("[]", now.body());
        long index = HttpApi.index(now);
        CompletableFuture<HttpResponse<String>> parked = api.client().sendAsync(
                HttpRequest.newBuilder(api.uri("/v1/health/service/cache?passing&index=" + index + "&wait=30s"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertFalse(parked.isDone());
        api.put("/v1/catalog/register", """
                {"Node": "ext-3", "Address": "10.1.0.3", "Service": {"Service": "cache", "Port": 6379}}""");
        HttpResponse<String> woken = parked.get(10, TimeUnit.SECONDS);
        assertTrue(HttpApi.index(woken) > index);
        assertEquals("cache", HttpApi.json(woken).get(0).get("Service").get("ID").asText());
    }

    @Test
    void registrationErrorsAreA400NamingTheField() {
        HttpResponse<String> noJson = api.put("/v1/catalog/register", "{not json");
        assertEquals(400, noJson.statusCode());
        assertTrue(noJson.body().startsWith("Request decode failed"), noJson.body());
        HttpResponse<String> wrongType = api.put("/v1/catalog/register",
                "{\"Node\": \"n\", \"Address\": \"1.2.3.4\", \"Service\": {\"Service\": \"s\", \"Port\": \"eighty\"}}");
        assertEquals(400, wrongType.statusCode());
        assertTrue(wrongType.body().contains("Service.Port"), wrongType.body());
        HttpResponse<String> badPort = api.put("/v1/catalog/register",
                "{\"Node\": \"n\", \"Address\": \"1.2.3.4\", \"Service\": {\"Service\": \"s\", \"Port\": 70000}}");
        assertEquals(400, badPort.statusCode());
        assertTrue(badPort.body().contains("70000"), badPort.body());
        HttpResponse<String> noAddress = api.put("/v1/catalog/register", "{\"Node\": \"n\"}");
        assertEquals(400, noAddress.statusCode());
        assertTrue(noAddress.body().contains("address"), noAddress.body());
        HttpResponse<String> badStatus = api.put("/v1/catalog/register",
                "{\"Node\": \"n\", \"Address\": \"1.2.3.4\", \"Check\": {\"CheckID\": \"c\", \"Status\": \"fine\"}}");
        assertEquals(400, badStatus.statusCode());
        HttpResponse<String> otherDc = api.put("/v1/catalog/register",
                "{\"Datacenter\": \"dc2\", \"Node\": \"n\", \"Address\": \"1.2.3.4\"}");
        assertEquals(400, otherDc.statusCode());
        assertTrue(otherDc.body().contains("dc2"), otherDc.body());
        assertEquals(405, api.get("/v1/catalog/register").statusCode());
    }

    @Test
    void catalogDeregisterRemovesAServiceThenTheNode() {
        api.put("/v1/catalog/register", """
                {"Node": "temp", "Address": "10.1.0.9", "Service": {"ID": "t-1", "Service": "temp", "Port": 1}}""");
        assertEquals(1, HttpApi.json(api.get("/v1/catalog/service/temp")).size());
        assertEquals("true", api.put("/v1/catalog/deregister", "{\"Node\": \"temp\", \"ServiceID\": \"t-1\"}").body());
        assertEquals(0, HttpApi.json(api.get("/v1/catalog/service/temp")).size());
        assertEquals("true", api.put("/v1/catalog/deregister", "{\"Node\": \"temp\"}").body());
        assertEquals("null", api.get("/v1/catalog/node/temp").body());
    }
}
