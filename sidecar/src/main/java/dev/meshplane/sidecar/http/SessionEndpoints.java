package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionBehavior;
import dev.meshplane.proto.v1.SessionCreateRequest;
import dev.meshplane.proto.v1.SessionIdRequest;
import dev.meshplane.proto.v1.SessionInfoRequest;
import dev.meshplane.proto.v1.SessionListRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** /v1/session/*: create, destroy, renew, info, node, list, onto the Sessions service. */
final class SessionEndpoints {
    /** Consul reads a lock delay below this as seconds, since "5" usually means 5 s and not 5 ns. */
    private static final long LOCK_DELAY_SECONDS_THRESHOLD = 1000;

    private final ApiContext c;

    private SessionEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        SessionEndpoints e = new SessionEndpoints(c);
        router.add("PUT", "/v1/session/create", e::create)
                .add("PUT", "/v1/session/destroy/", e::destroy)
                .add("PUT", "/v1/session/renew/", e::renew)
                .add("GET", "/v1/session/info/", e::info)
                .add("GET", "/v1/session/node/", e::node)
                .add("GET", "/v1/session/list", e::list);
    }

    private CompletableFuture<Reply> create(Request r) {
        c.query.checkDatacenter(r);
        Session.Builder s = Session.newBuilder().setNode(c.self.nodeName());
        boolean noNodeChecks = false;
        if (r.body().length > 0) {
            JsonIn in = JsonIn.parseObject(r.body());
            if (in.has("Node")) {
                s.setNode(in.text("Node"));
            }
            s.setName(in.text("Name"));
            Duration lockDelay = in.duration("LockDelay");
            if (lockDelay != null) {
                if (lockDelay.toNanos() < LOCK_DELAY_SECONDS_THRESHOLD) {
                    lockDelay = Duration.ofSeconds(lockDelay.toNanos());
                }
                s.setLockDelay(Durations.toProto(lockDelay));
            }
            Duration ttl = in.duration("TTL");
            if (ttl != null) {
                s.setTtl(Durations.toProto(ttl));
            }
            String behavior = in.text("Behavior");
            s.setBehavior(switch (behavior) {
                case "", "release" -> SessionBehavior.SESSION_BEHAVIOR_RELEASE;
                case "delete" -> SessionBehavior.SESSION_BEHAVIOR_DELETE;
                default -> throw HttpError.badRequest("Behavior: \"" + behavior + "\" must be release or delete");
            });
            // Listing checks at all (even none) replaces the default serfHealth, as in Consul.
            if (in.has("Checks") || in.has("NodeChecks")) {
                List<String> nodeChecks = in.has("NodeChecks") ? in.strings("NodeChecks") : in.strings("Checks");
                s.addAllNodeChecks(nodeChecks);
                noNodeChecks = nodeChecks.isEmpty();
            }
            for (JsonIn check : in.objects("ServiceChecks")) {
                s.addServiceChecks(check.text("ID"));
            }
        }
        var call = c.sessions.create(SessionCreateRequest.newBuilder().setSession(s).setNoNodeChecks(noNodeChecks)
                .build());
        return Calls.of(r, call).thenApply(a -> {
            ObjectNode out = Json.object();
            out.put("ID", a.getId());
            return Json.reply(r, out);
        });
    }

    private CompletableFuture<Reply> destroy(Request r) {
        c.query.checkDatacenter(r);
        String id = id(r, "/v1/session/destroy/");
        return ApiContext.writeTrue(r, c.sessions.destroy(SessionIdRequest.newBuilder().setId(id).build()));
    }

    private CompletableFuture<Reply> renew(Request r) {
        c.query.checkDatacenter(r);
        String id = id(r, "/v1/session/renew/");
        // An unknown session is NOT_FOUND, which the one mapping answers with 404 as Consul does.
        return Calls.of(r, c.sessions.renew(SessionIdRequest.newBuilder().setId(id).build()))
                .thenApply(a -> Json.reply(r, sessions(List.of(a.getSession()))));
    }

    private CompletableFuture<Reply> info(Request r) {
        String id = id(r, "/v1/session/info/");
        return ApiContext.read(r, c.sessions.info(SessionInfoRequest.newBuilder().setId(id)
                        .setOptions(c.query.options(r)).build()), a -> a.getMeta(),
                a -> sessions(a.hasSession() ? List.of(a.getSession()) : List.of()));
    }

    private CompletableFuture<Reply> node(Request r) {
        String node = r.tail("/v1/session/node/");
        if (node.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        return ApiContext.read(r, c.sessions.list(SessionListRequest.newBuilder().setNode(node)
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> sessions(a.getSessionsList()));
    }

    private CompletableFuture<Reply> list(Request r) {
        return ApiContext.read(r, c.sessions.list(SessionListRequest.newBuilder()
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> sessions(a.getSessionsList()));
    }

    private static String id(Request r, String prefix) {
        String id = r.tail(prefix);
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing session");
        }
        return id;
    }

    private static ArrayNode sessions(List<Session> list) {
        ArrayNode out = Json.array();
        list.forEach(s -> out.add(ConsulJson.session(s)));
        return out;
    }
}
