package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application written against Consul's documented HTTP API and nothing else: it registers
 * itself, discovers its peers, and elects a leader with a session and a KV lock, the way the
 * Consul docs' "application leader election" guide does it. Nothing here knows Meshplane.
 */
class ConsulDocumentedApiClientTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-app");

    /** The application's own tiny Consul client: documented paths, documented JSON. */
    static final class App {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final HttpClient http = HttpClient.newHttpClient();
        private final String consul;
        final String id;
        String session;

        App(String consul, String id) {
            this.consul = consul;
            this.id = id;
        }

        HttpResponse<String> call(String method, String path, String body) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(consul + path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        void register(int port) throws Exception {
            HttpResponse<String> r = call("PUT", "/v1/agent/service/register",
                    "{\"Name\": \"orders\", \"ID\": \"" + id + "\", \"Port\": " + port + ", \"Address\": \"127.0.0.1\","
                            + " \"Tags\": [\"v1\"], \"Meta\": {\"owner\": \"" + id + "\"}}");
            assertEquals(200, r.statusCode(), r.body());
        }

        List<String> discover() throws Exception {
            HttpResponse<String> r = call("GET", "/v1/health/service/orders?passing=true", null);
            assertEquals(200, r.statusCode(), r.body());
            List<String> endpoints = new ArrayList<>();
            for (JsonNode e : JSON.readTree(r.body())) {
                String address = e.get("Service").get("Address").asText();
                if (address.isEmpty()) {
                    address = e.get("Node").get("Address").asText();
                }
                endpoints.add(address + ":" + e.get("Service").get("Port").asInt());
            }
            return endpoints;
        }

        boolean tryLead() throws Exception {
            if (session == null) {
                HttpResponse<String> s = call("PUT", "/v1/session/create",
                        "{\"Name\": \"orders-leader\", \"TTL\": \"15s\", \"LockDelay\": \"0s\", \"Behavior\": \"release\"}");
                session = JSON.readTree(s.body()).get("ID").asText();
            }
            return Boolean.parseBoolean(call("PUT", "/v1/kv/service/orders/leader?acquire=" + session, id).body());
        }

        /** Blocks until the leader key changes after {@code index}; returns the new index. */
        CompletableFuture<Long> waitForChange(long index) {
            return http.sendAsync(HttpRequest.newBuilder(
                            URI.create(consul + "/v1/kv/service/orders/leader?index=" + index + "&wait=20s")).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow()));
        }

        JsonNode leaderKey() throws Exception {
            HttpResponse<String> r = call("GET", "/v1/kv/service/orders/leader", null);
            return JSON.readTree(r.body()).get(0);
        }

        long leaderIndex() throws Exception {
            return Long.parseLong(call("GET", "/v1/kv/service/orders/leader", null).headers()
                    .firstValue("X-Consul-Index").orElseThrow());
        }

        void stepDown() throws Exception {
            assertEquals("true", call("PUT", "/v1/session/destroy/" + session, null).body());
            session = null;
        }
    }

    @Test
    void twoInstancesRegisterDiscoverEachOtherAndElectOneLeaderAtATime() throws Exception {
        App one = new App(DEV.http(), "orders-1");
        App two = new App(DEV.http(), "orders-2");
        one.register(7001);
        two.register(7002);
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002"), one.discover());
        assertEquals(one.discover(), two.discover());

        assertTrue(one.tryLead(), "the first to ask becomes leader");
        assertFalse(two.tryLead(), "only one leader at a time");
        JsonNode key = one.leaderKey();
        assertEquals(one.session, key.get("Session").asText());
        assertEquals("orders-1", new String(java.util.Base64.getDecoder().decode(key.get("Value").asText())));

        CompletableFuture<Long> change = two.waitForChange(two.leaderIndex());
        Thread.sleep(200);
        assertFalse(change.isDone(), "the follower's blocking query waits");
        one.stepDown();
        change.get(10, TimeUnit.SECONDS);
        assertTrue(two.tryLead(), "after the leader's session ends, the follower takes over");
        assertEquals(two.session, two.leaderKey().get("Session").asText());

        assertEquals(200, one.call("PUT", "/v1/agent/service/deregister/orders-1", null).statusCode());
        assertEquals(List.of("127.0.0.1:7002"), two.discover());
    }
}
