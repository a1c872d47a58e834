package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /v1/session, /v1/txn, /v1/status and /v1/agent over a real HTTP connection to a real dev agent. */
class HttpSessionTxnAgentTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-sess");

    private final HttpApi api = new HttpApi(DEV.http());

    @Test
    void sessionLifecycle() {
        HttpResponse<String> created = api.put("/v1/session/create",
                "{\"Name\": \"worker\", \"TTL\": \"30s\", \"LockDelay\": \"5s\", \"Behavior\": \"delete\"}");
        assertEquals(200, created.statusCode(), created.body());
        String id = HttpApi.json(created).get("ID").asText();
        JsonNode info = HttpApi.json(api.get("/v1/session/info/" + id)).get(0);
        assertEquals("worker", info.get("Name").asText());
        assertEquals("node-sess", info.get("Node").asText());
        assertEquals("30s", info.get("TTL").asText());
        assertEquals(5_000_000_000L, info.get("LockDelay").asLong());
        assertEquals("delete", info.get("Behavior").asText());
        assertEquals("[\"serfHealth\"]", info.get("NodeChecks").toString());
        assertTrue(api.get("/v1/session/node/node-sess").body().contains(id));
        assertEquals("[]", api.get("/v1/session/node/ext-nobody").body());
        assertTrue(HttpApi.json(api.get("/v1/session/list")).size() >= 1);
        assertEquals(id, HttpApi.json(api.put("/v1/session/renew/" + id, "")).get(0).get("ID").asText());
        assertEquals("true", api.put("/v1/session/destroy/" + id, "").body());
        assertEquals("[]", api.get("/v1/session/info/" + id).body());
        assertEquals(404, api.put("/v1/session/renew/" + id, "").statusCode());
        HttpResponse<String> badTtl = api.put("/v1/session/create", "{\"TTL\": \"1s\"}");
        assertEquals(400, badTtl.statusCode());
        assertTrue(badTtl.body().contains("ttl"), badTtl.body());
        assertEquals(400, api.put("/v1/session/create", "{\"Behavior\": \"explode\"}").statusCode());
    }

    @Test
    void lockWithAcquireAndRelease() {
        String a = HttpApi.json(api.put("/v1/session/create", "{\"LockDelay\": 0}")).get("ID").asText();
        String b = HttpApi.json(api.put("/v1/session/create", "{\"LockDelay\": \"0s\"}")).get("ID").asText();
        assertEquals("true", api.put("/v1/kv/locks/leader?acquire=" + a, "a").body());
        assertEquals("false", api.put("/v1/kv/locks/leader?acquire=" + b, "b").body());
        JsonNode held = HttpApi.json(api.get("/v1/kv/locks/leader")).get(0);
        assertEquals(a, held.get("Session").asText());
        assertEquals(1, held.get("LockIndex").asLong());
        assertEquals("false", api.put("/v1/kv/locks/leader?release=" + b, "").body());
        assertEquals("true", api.put("/v1/kv/locks/leader?release=" + a, "").body());
        assertEquals("true", api.put("/v1/kv/locks/leader?acquire=" + b, "b").body());
        HttpResponse<String> ghost = api.put("/v1/kv/locks/other?acquire=00000000-0000-0000-0000-000000000000", "x");
        assertEquals(409, ghost.statusCode());
        assertTrue(ghost.body().contains("does not exist"), ghost.body());
    }

    @Test
    void txnAppliesAllOrReportsTheFailingOperationWith409() {
        String value = Base64.getEncoder().encodeToString("v".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> ok = api.put("/v1/txn", """
                [{"KV": {"Verb": "set", "Key": "txn/a", "Value": "%s"}},
                 {"KV": {"Verb": "set", "Key": "txn/b", "Value": "%s", "Flags": 7}},
                 {"KV": {"Verb": "get", "Key": "txn/a"}},
                 {"Node": {"Verb": "set", "Node": {"Node": "txn-node", "Address": "10.2.0.1"}}},
                 {"Service": {"Verb": "set", "Node": "txn-node", "Service": {"ID": "s1", "Service": "txnsvc", "Port": 80}}}]
                """.formatted(value, value));
        assertEquals(200, ok.statusCode(), ok.body());
        JsonNode body = HttpApi.json(ok);
        assertTrue(body.get("Errors").isNull());
        assertEquals("txn/a", body.get("Results").get(0).get("KV").get("Key").asText());
        assertEquals(value, body.get("Results").get(2).get("KV").get("Value").asText());
        assertEquals(1, HttpApi.json(api.get("/v1/catalog/service/txnsvc")).size());

        HttpResponse<String> rolledBack = api.put("/v1/txn", """
                [{"KV": {"Verb": "set", "Key": "txn/c", "Value": "%s"}},
                 {"KV": {"Verb": "check-not-exists", "Key": "txn/a"}}]
                """.formatted(value));
        assertEquals(409, rolledBack.statusCode(), rolledBack.body());
        JsonNode errors = HttpApi.json(rolledBack).get("Errors");
        assertEquals(1, errors.get(0).get("OpIndex").asInt());
        assertTrue(errors.get(0).get("What").asText().length() > 0);
        assertEquals(404, api.get("/v1/kv/txn/c").statusCode(), "a rolled-back transaction writes nothing");

        assertEquals(400, api.put("/v1/txn", "{\"KV\": {}}").statusCode());
        assertEquals(400, api.put("/v1/txn", "[{\"KV\": {\"Verb\": \"teleport\", \"Key\": \"k\"}}]").statusCode());
        assertEquals(400, api.put("/v1/txn", "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"k\", \"Value\": \"!!\"}}]")
                .statusCode());
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 129; i++) {
            many.append(i == 0 ? "" : ",").append("{\"KV\": {\"Verb\": \"get\", \"Key\": \"k").append(i).append("\"}}");
        }
        HttpResponse<String> tooMany = api.put("/v1/txn", many.append("]").toString());
        assertEquals(413, tooMany.statusCode());
        assertTrue(tooMany.body().contains("129 > 128"), tooMany.body());
    }

    @Test
    void statusLeaderAndPeers() {
        String leader = HttpApi.json(api.get("/v1/status/leader")).asText();
        assertEquals("127.0.0.1:" + DEV.agent().serverAddress().getPort(), leader);
        assertEquals("[\"" + leader + "\"]", api.get("/v1/status/peers").body());
    }

    @Test
    void agentServiceRegistrationListingAndDeregistration() throws InterruptedException {
        HttpResponse<String> reg = api.put("/v1/agent/service/register", """
                {"Name": "api", "ID": "api-1", "Tags": ["blue"], "Port": 9000, "Meta": {"team": "core"},
                 "Weights": {"Passing": 3, "Warning": 1}, "EnableTagOverride": true, "Connect": {"Native": false}}""");
        assertEquals(200, reg.statusCode(), reg.body());
        assertEquals("", reg.body());
        JsonNode services = HttpApi.json(api.get("/v1/agent/services"));
        JsonNode s = services.get("api-1");
        assertEquals("api", s.get("Service").asText());
        assertEquals(9000, s.get("Port").asInt());
        assertEquals(3, s.get("Weights").get("Passing").asInt());
        assertEquals("dc1", s.get("Datacenter").asText());
        assertTrue(s.get("EnableTagOverride").asBoolean());
        JsonNode one = HttpApi.json(api.get("/v1/agent/service/api-1"));
        assertEquals("core", one.get("Meta").get("team").asText());
        assertEquals(404, api.get("/v1/agent/service/nope").statusCode());
        assertEquals(1, HttpApi.json(api.get("/v1/catalog/service/api")).size());

        assertEquals(200, api.put("/v1/agent/service/deregister/api-1", "").statusCode());
        assertTrue(HttpApi.json(api.get("/v1/agent/services")).path("api-1").isMissingNode());
        assertEquals(0, HttpApi.json(api.get("/v1/catalog/service/api")).size());
        HttpResponse<String> again = api.put("/v1/agent/service/deregister/api-1", "");
        assertEquals(404, again.statusCode());
        assertTrue(again.body().contains("api-1"), again.body());

        HttpResponse<String> noName = api.put("/v1/agent/service/register", "{\"Port\": 1}");
        assertEquals(400, noName.statusCode());
        assertTrue(noName.body().contains("name"), noName.body());
        HttpResponse<String> withCheck = api.put("/v1/agent/service/register",
                "{\"Name\": \"chk\", \"Check\": {\"TTL\": \"10s\"}}");
        assertEquals(200, withCheck.statusCode(), withCheck.body());
        JsonNode ttlCheck = null;
        for (int i = 0; i < 100 && ttlCheck == null; i++) {
            JsonNode checks = HttpApi.json(api.get("/v1/health/checks/chk"));
            ttlCheck = checks.size() == 1 ? checks.get(0) : null;
            if (ttlCheck == null) {
                Thread.sleep(50);
            }
        }
        assertTrue(ttlCheck != null, "the service's TTL check reaches the catalog");
        assertEquals("critical", ttlCheck.get("Status").asText(), "a TTL check starts critical");
        assertEquals("ttl", ttlCheck.get("Type").asText());
        HttpResponse<String> ambiguousCheck = api.put("/v1/agent/service/register",
                "{\"Name\": \"chk\", \"Check\": {\"TTL\": \"10s\", \"HTTP\": \"http://x\"}}");
        assertEquals(400, ambiguousCheck.statusCode());

        JsonNode self = HttpApi.json(api.get("/v1/agent/self"));
        assertEquals("dc1", self.get("Config").get("Datacenter").asText());
        assertEquals("node-sess", self.get("Config").get("NodeName").asText());
        assertTrue(self.get("Config").get("Server").asBoolean());
    }
}
