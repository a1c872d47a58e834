package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /v1/connect/intentions over a real HTTP connection to a real dev agent. */
class HttpIntentionsTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-intentions");

    private final HttpApi api = new HttpApi(DEV.http());

    private static void badRequest(HttpResponse<String> r, String mentions) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(mentions), "400 body should mention " + mentions + ": " + r.body());
    }

    private boolean allowed(String source, String destination) {
        HttpResponse<String> r = api.get("/v1/connect/intentions/check?source=" + source + "&destination=" + destination);
        assertEquals(200, r.statusCode(), r.body());
        return HttpApi.json(r).get("Allowed").asBoolean();
    }

    @Test
    void createReadMatchCheckUpdateAndDelete() throws Exception {
        HttpResponse<String> created = api.method("POST", "/v1/connect/intentions",
                "{\"SourceName\": \"web\", \"DestinationName\": \"db\", \"Action\": \"allow\", \"Description\": \"app\"}");
        assertEquals(200, created.statusCode(), created.body());
        String id = HttpApi.json(created).get("ID").asText();
        UUID.fromString(id);
        HttpResponse<String> duplicate = api.method("POST", "/v1/connect/intentions",
                "{\"SourceName\": \"web\", \"DestinationName\": \"db\", \"Action\": \"deny\"}");
        assertEquals(409, duplicate.statusCode());
        assertTrue(duplicate.body().contains("duplicate intention found: web => db (allow)"), duplicate.body());

        assertEquals("true", api.put("/v1/connect/intentions/exact?source=*&destination=db", "{\"Action\": \"deny\"}").body());
        JsonNode exact = HttpApi.json(api.get("/v1/connect/intentions/exact?source=web&destination=db"));
        assertEquals(id, exact.get("ID").asText());
        assertEquals("allow", exact.get("Action").asText());
        assertEquals("app", exact.get("Description").asText());
        assertEquals(9, exact.get("Precedence").asInt());
        assertEquals("consul", exact.get("SourceType").asText());
        assertEquals("default", exact.get("DestinationNS").asText());
        assertTrue(exact.get("ModifyIndex").asLong() > 0);
        assertEquals(exact, HttpApi.json(api.get("/v1/connect/intentions/" + id)));

        HttpResponse<String> list = api.get("/v1/connect/intentions");
        JsonNode all = HttpApi.json(list);
        assertEquals(2, all.size());
        assertEquals("web", all.get(0).get("SourceName").asText(), "highest precedence first");
        assertEquals("*", all.get(1).get("SourceName").asText());
        long index = HttpApi.index(list);

        JsonNode byDestination = HttpApi.json(api.get("/v1/connect/intentions/match?by=destination&name=db&name=cache"));
        assertEquals(2, byDestination.get("db").size());
        assertEquals("web", byDestination.get("db").get(0).get("SourceName").asText());
        assertEquals(0, byDestination.get("cache").size());
        JsonNode bySource = HttpApi.json(api.get("/v1/connect/intentions/match?by=source&name=api"));
        assertEquals(1, bySource.get("api").size(), "* => db matches any source");

        assertTrue(allowed("web", "db"));
        assertTrue(!allowed("api", "db"), "* => db deny");
        assertTrue(allowed("api", "cache"), "the default policy is allow");

        // A blocking list wakes on the next write.
        CompletableFuture<HttpResponse<String>> parked = api.client().sendAsync(HttpRequest.newBuilder(
                api.uri("/v1/connect/intentions?index=" + index + "&wait=30s")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertTrue(!parked.isDone(), "nothing changed yet: the query stays parked");
        HttpResponse<String> update = api.put("/v1/connect/intentions/" + id, "{\"Action\": \"deny\", \"Description\": \"no\"}");
        assertEquals(200, update.statusCode(), update.body());
        HttpResponse<String> woken = parked.get(20, TimeUnit.SECONDS);
        assertTrue(HttpApi.index(woken) > index);
        assertEquals("deny", HttpApi.json(woken).get(0).get("Action").asText());
        assertTrue(!allowed("web", "db"));
        badRequest(api.put("/v1/connect/intentions/" + id, "{\"Action\": \"allow\", \"SourceName\": \"api\"}"),
                "cannot change");

        assertEquals("true", api.delete("/v1/connect/intentions/exact?source=web&destination=db").body());
        HttpResponse<String> gone = api.get("/v1/connect/intentions/exact?source=web&destination=db");
        assertEquals(404, gone.statusCode());
        assertEquals(404, api.delete("/v1/connect/intentions/exact?source=web&destination=db").statusCode());
        assertEquals(404, api.get("/v1/connect/intentions/" + id).statusCode());
        String wildcardId = all.get(1).get("ID").asText();
        assertEquals(200, api.delete("/v1/connect/intentions/" + wildcardId).statusCode());
        assertEquals("[]", api.get("/v1/connect/intentions").body());
        assertTrue(allowed("api", "db"));
    }

    @Test
    void badInputIsRefusedWithWhatWasWrong() {
        badRequest(api.get("/v1/connect/intentions/exact?destination=db"), "required query parameter 'source' not set");
        badRequest(api.get("/v1/connect/intentions/exact?source=web"), "required query parameter 'destination' not set");
        badRequest(api.put("/v1/connect/intentions/exact?source=web&destination=db", "{\"Action\": \"maybe\"}"),
                "Action must be set to 'allow' or 'deny'");
        badRequest(api.put("/v1/connect/intentions/exact?source=web&destination=db", "{\"Action\": "), "Request decode failed");
        badRequest(api.put("/v1/connect/intentions/exact?source=web&destination=db",
                "{\"Action\": \"allow\", \"Permissions\": [{\"Action\": \"deny\"}]}"), "L7");
        badRequest(api.put("/v1/connect/intentions/exact?source=ops/web&destination=db", "{\"Action\": \"allow\"}"),
                "namespace");
        badRequest(api.put("/v1/connect/intentions/exact?source=bad%20name!&destination=db", "{\"Action\": \"allow\"}"),
                "source_name");
        badRequest(api.put("/v1/connect/intentions/exact?source=web&destination=db",
                "{\"Action\": \"allow\", \"Description\": \"" + "d".repeat(600) + "\"}"), "description");
        badRequest(api.method("POST", "/v1/connect/intentions",
                "{\"SourceName\": \"a\", \"DestinationName\": \"b\", \"Action\": \"allow\", \"Meta\": {\"k\": \"v\"}}"), "Meta");
        badRequest(api.method("POST", "/v1/connect/intentions", "{\"DestinationName\": \"b\", \"Action\": \"allow\"}"),
                "source_name");
        badRequest(api.get("/v1/connect/intentions/match?name=db"), "required query parameter 'by' not set");
        badRequest(api.get("/v1/connect/intentions/match?by=sideways&name=db"), "'by' parameter must be one of");
        badRequest(api.get("/v1/connect/intentions/match?by=source"), "required query parameter 'name' not set");
        badRequest(api.get("/v1/connect/intentions/check?source=web"), "required query parameter 'destination' not set");
        badRequest(api.get("/v1/connect/intentions/not-a-uuid"), "not a UUID");
        badRequest(api.get("/v1/connect/intentions?filter=Action%20==%20allow"), "filter");
        badRequest(api.get("/v1/connect/intentions?dc=dc2"), "dc2");
        badRequest(api.get("/v1/connect/intentions?index=x"), "Invalid index");
        assertEquals(404, api.get("/v1/connect/intentions/" + UUID.randomUUID()).statusCode());
        HttpResponse<String> wrongMethod = api.method("POST", "/v1/connect/intentions/exact?source=a&destination=b", "{}");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("DELETE, GET, PUT", wrongMethod.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void aBlockingExactReadTimesOutWithTheSameAnswer() {
        assertEquals("true", api.put("/v1/connect/intentions/exact?source=a&destination=b", "{\"Action\": \"allow\"}").body());
        HttpResponse<String> first = api.get("/v1/connect/intentions/exact?source=a&destination=b");
        long index = HttpApi.index(first);
        HttpResponse<String> again = api.get("/v1/connect/intentions/exact?source=a&destination=b&index=" + index
                + "&wait=300ms");
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(HttpApi.json(first), HttpApi.json(again));
        assertEquals(index, HttpApi.index(again));
    }
}
