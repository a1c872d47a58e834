package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /v1/kv over a real HTTP connection to a real dev agent. */
class HttpKvTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-kv");

    private final HttpApi api = new HttpApi(DEV.http());

    @Test
    void putThenGetReturnsConsulShapedEntryWithBase64Value() {
        HttpResponse<String> put = api.put("/v1/kv/app/config/color?flags=42", "blue");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("true", put.body());

        HttpResponse<String> get = api.get("/v1/kv/app/config/color");
        assertEquals(200, get.statusCode());
        assertEquals("application/json", get.headers().firstValue("Content-Type").orElse(""));
        JsonNode entry = HttpApi.json(get).get(0);
        assertEquals("app/config/color", entry.get("Key").asText());
        assertEquals("blue", new String(Base64.getDecoder().decode(entry.get("Value").asText()), StandardCharsets.UTF_8));
        assertEquals(42, entry.get("Flags").asLong());
        assertEquals(0, entry.get("LockIndex").asLong());
        assertTrue(entry.get("CreateIndex").asLong() > 0);
        assertEquals(entry.get("ModifyIndex").asLong(), HttpApi.index(get));
        assertEquals("true", get.headers().firstValue("X-Consul-KnownLeader").orElse(""));
        assertEquals("0", get.headers().firstValue("X-Consul-LastContact").orElse(""));
        assertEquals("leader", get.headers().firstValue("X-Consul-Effective-Consistency").orElse(""));
    }

    @Test
    void rawReturnsTheBytesAsStored() {
        byte[] value = {0, 1, 2, (byte) 0xff, 10};
        assertEquals("true", api.put("/v1/kv/raw/bin", value).body());
        HttpResponse<byte[]> raw = api.getBytes("/v1/kv/raw/bin?raw");
        assertEquals(200, raw.statusCode());
        assertArrayEquals(value, raw.body());
        assertEquals("nosniff", raw.headers().firstValue("X-Content-Type-Options").orElse(""));
    }

    @Test
    void missingKeyIs404WithAnIndexToBlockOn() {
        HttpResponse<String> r = api.get("/v1/kv/no/such/key");
        assertEquals(404, r.statusCode());
        assertTrue(HttpApi.index(r) >= 1);
    }

    @Test
    void recurseKeysAndSeparator() {
        api.put("/v1/kv/tree/a", "1");
        api.put("/v1/kv/tree/b/c", "2");
        api.put("/v1/kv/tree/b/d", "3");
        JsonNode all = HttpApi.json(api.get("/v1/kv/tree/?recurse"));
        assertEquals(3, all.size());
        assertEquals("tree/a", all.get(0).get("Key").asText());
        JsonNode keys = HttpApi.json(api.get("/v1/kv/tree/?keys"));
        assertEquals("[\"tree/a\",\"tree/b/c\",\"tree/b/d\"]", keys.toString());
        JsonNode rolled = HttpApi.json(api.get("/v1/kv/tree/?keys&separator=/"));
        assertEquals("[\"tree/a\",\"tree/b/\"]", rolled.toString());
        assertEquals(404, api.get("/v1/kv/nothing-here/?recurse").statusCode());
        assertEquals(404, api.get("/v1/kv/nothing-here/?keys").statusCode());
    }

    @Test
    void casCreatesOnlyWhenAbsentAndUpdatesOnlyAtTheRightIndex() {
        assertEquals("true", api.put("/v1/kv/cas/k?cas=0", "first").body());
        assertEquals("false", api.put("/v1/kv/cas/k?cas=0", "second").body());
        long index = HttpApi.json(api.get("/v1/kv/cas/k")).get(0).get("ModifyIndex").asLong();
        assertEquals("false", api.put("/v1/kv/cas/k?cas=" + (index + 1000), "third").body());
        assertEquals("true", api.put("/v1/kv/cas/k?cas=" + index, "fourth").body());
        long now = HttpApi.json(api.get("/v1/kv/cas/k")).get(0).get("ModifyIndex").asLong();
        assertEquals("false", api.delete("/v1/kv/cas/k?cas=" + index).body());
        assertEquals("true", api.delete("/v1/kv/cas/k?cas=" + now).body());
        assertEquals(404, api.get("/v1/kv/cas/k").statusCode());
    }

    @Test
    void deleteRecurseRemovesTheSubtree() {
        api.put("/v1/kv/gone/a", "1");
        api.put("/v1/kv/gone/b", "2");
        api.put("/v1/kv/gone-not", "3");
        assertEquals("true", api.delete("/v1/kv/gone/?recurse").body());
        assertEquals(404, api.get("/v1/kv/gone/?recurse").statusCode());
        assertEquals(200, api.get("/v1/kv/gone-not").statusCode());
    }

    @Test
    void badInputIsAPlain400ThatNamesTheProblem() {
        HttpResponse<String> flags = api.put("/v1/kv/bad?flags=abc", "x");
        assertEquals(400, flags.statusCode());
        assertTrue(flags.body().contains("flags"), flags.body());
        HttpResponse<String> both = api.put("/v1/kv/bad?cas=1&acquire=abc", "x");
        assertEquals(400, both.statusCode());
        assertTrue(both.body().contains("Conflicting flags"), both.body());
        assertEquals(400, api.delete("/v1/kv/bad?recurse&cas=3").statusCode());
        HttpResponse<String> noKey = api.put("/v1/kv/", "x");
        assertEquals(400, noKey.statusCode());
        assertEquals("Missing key name", noKey.body());
        HttpResponse<String> control = api.put("/v1/kv/bad%01key", "x");
        assertEquals(400, control.statusCode());
        assertTrue(control.body().startsWith("key:"), control.body());
        HttpResponse<String> conflicting = api.get("/v1/kv/x?stale&consistent");
        assertEquals(400, conflicting.statusCode());
        assertEquals("Cannot specify ?stale with ?consistent, conflicting semantics.", conflicting.body());
        assertEquals(400, api.get("/v1/kv/x?index=abc").statusCode());
        HttpResponse<String> wait = api.get("/v1/kv/x?index=5&wait=10");
        assertEquals(400, wait.statusCode());
        assertTrue(wait.body().startsWith("Invalid wait time"), wait.body());
        HttpResponse<String> dc = api.get("/v1/kv/x?dc=dc9");
        assertEquals(400, dc.statusCode());
        assertTrue(dc.body().contains("dc9"), dc.body());
    }

    @Test
    void valueOverTheLimitIs413AndNothingIsWritten() {
        byte[] big = new byte[512 * 1024 + 1];
        HttpResponse<String> r = api.put("/v1/kv/big", big);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("524288"), r.body());
        assertEquals(404, api.get("/v1/kv/big").statusCode());
        HttpResponse<String> huge = api.put("/v1/kv/huge", new byte[2 * 1024 * 1024]);
        assertEquals(413, huge.statusCode());
        assertEquals(404, api.get("/v1/kv/huge").statusCode());
    }

    @Test
    void wrongMethodIs405WithAllowAndUnknownPathIs404() {
        HttpResponse<String> r = api.method("POST", "/v1/kv/x", "");
        assertEquals(405, r.statusCode());
        assertEquals("DELETE, GET, PUT", r.headers().firstValue("Allow").orElse(""));
        assertEquals(404, api.get("/v1/nope").statusCode());
        // A HEAD answer carries no body, and the connection stays usable for the next request.
        HttpResponse<String> head = api.method("HEAD", "/v1/kv/x", "");
        assertEquals(405, head.statusCode());
        assertEquals("", head.body());
        assertEquals(404, api.get("/v1/kv/never-written").statusCode());
    }

    @Test
    void consistencyModesAreReportedAndTokensAccepted() throws Exception {
        api.put("/v1/kv/modes", "x");
        assertEquals("stale", api.get("/v1/kv/modes?stale").headers()
                .firstValue("X-Consul-Effective-Consistency").orElse(""));
        assertEquals("consistent", api.get("/v1/kv/modes?consistent").headers()
                .firstValue("X-Consul-Effective-Consistency").orElse(""));
        HttpResponse<String> withToken = api.client().send(HttpRequest.newBuilder(api.uri("/v1/kv/modes?token=abc"))
                .header("X-Consul-Token", "secret").header("Authorization", "Bearer secret").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withToken.statusCode());
    }

    @Test
    void blockingGetWaitsForTheChangeAndReturnsTheNewIndex() throws Exception {
        api.put("/v1/kv/block/k", "v1");
        long index = HttpApi.index(api.get("/v1/kv/block/k"));
        CompletableFuture<HttpResponse<String>> parked = api.client().sendAsync(
                HttpRequest.newBuilder(api.uri("/v1/kv/block/k?index=" + index + "&wait=30s")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertFalse(parked.isDone(), "a blocking query must wait for a change");
        api.put("/v1/kv/block/k", "v2");
        HttpResponse<String> woken = parked.get(10, TimeUnit.SECONDS);
        assertEquals(200, woken.statusCode());
        assertTrue(HttpApi.index(woken) > index);
        assertEquals("v2", new String(Base64.getDecoder().decode(HttpApi.json(woken).get(0).get("Value").asText()),
                StandardCharsets.UTF_8));
    }

    @Test
    void blockingGetReturnsTheSameIndexWhenTheWaitRunsOut() {
        api.put("/v1/kv/idle/k", "v");
        long index = HttpApi.index(api.get("/v1/kv/idle/k"));
        long start = System.nanoTime();
        HttpResponse<String> r = api.get("/v1/kv/idle/k?index=" + index + "&wait=500ms");
        long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(200, r.statusCode());
        assertEquals(index, HttpApi.index(r));
        assertTrue(tookMillis >= 450, "returned after " + tookMillis + " ms, before the wait ran out");
    }

    @Test
    void aClientThatHangsUpReleasesItsParkedQuery() throws Exception {
        api.put("/v1/kv/hangup/k", "v");
        long index = HttpApi.index(api.get("/v1/kv/hangup/k"));
        int before = DEV.agent().server().pendingWakeUps();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", DEV.agent().httpAddress().getPort())) {
            s.getOutputStream().write(("GET /v1/kv/hangup/k?index=" + index + "&wait=5m HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            waitFor(() -> DEV.agent().server().pendingWakeUps() > before, "the query to park");
        }
        waitFor(() -> DEV.agent().server().pendingWakeUps() <= before, "the parked query to be released");
    }

    @Test
    void identicalBlockingQueriesShareOneCallAndOneLeavingDoesNotCancelTheOthers() throws Exception {
        api.put("/v1/kv/shared/k", "v1");
        long index = HttpApi.index(api.get("/v1/kv/shared/k"));
        int before = DEV.agent().server().pendingWakeUps();
        String path = "/v1/kv/shared/k?index=" + index + "&wait=30s";
        java.util.List<CompletableFuture<HttpResponse<String>>> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(api.client().sendAsync(HttpRequest.newBuilder(api.uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        java.net.Socket leaver = new java.net.Socket("127.0.0.1", DEV.agent().httpAddress().getPort());
        leaver.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        leaver.getOutputStream().flush();
        waitFor(() -> DEV.agent().sidecar().httpConnections() >= 4, "four parked connections");
        Thread.sleep(200);
        assertEquals(before + 1, DEV.agent().server().pendingWakeUps(), "four identical queries, one parked call");
        leaver.close();
        Thread.sleep(200);
        assertEquals(before + 1, DEV.agent().server().pendingWakeUps(), "the others still wait on the shared call");
        api.put("/v1/kv/shared/k", "v2");
        for (CompletableFuture<HttpResponse<String>> w : waiting) {
            HttpResponse<String> r = w.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertTrue(HttpApi.index(r) > index);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
