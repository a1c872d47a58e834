package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionCheckRequest;
import dev.meshplane.proto.v1.IntentionDeleteRequest;
import dev.meshplane.proto.v1.IntentionGetRequest;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionUpsertRequest;
import io.grpc.Status;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * /v1/connect/intentions: list, the by-name endpoints (/exact, /check) and Consul's legacy
 * by-ID ones (POST create, GET/PUT/DELETE /:id), onto the Intentions service. /match is
 * {@link IntentionMatchEndpoint}. Intentions are keyed by (source, destination); the IDs are
 * derived from the pair ({@link IntentionJson#id}).
 */
final class IntentionEndpoints {
    private static final String BASE = "/v1/connect/intentions";
    private static final String BY_ID = BASE + "/";

    private final ApiContext c;

    private IntentionEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        IntentionEndpoints e = new IntentionEndpoints(c);
        router.add("GET", BASE, e::list)
                .add("POST", BASE, e::create)
                .add("GET", BASE + "/exact", e::getExact)
                .add("PUT", BASE + "/exact", e::putExact)
                .add("DELETE", BASE + "/exact", e::deleteExact)
                .add("GET", BASE + "/check", e::check)
                .add("GET", BY_ID, e::getById)
                .add("PUT", BY_ID, e::putById)
                .add("DELETE", BY_ID, e::deleteById);
        IntentionMatchEndpoint.register(router, c);
    }

    private CompletableFuture<Reply> list(Request r) {
        if (r.param("filter") != null) {
            throw HttpError.badRequest("filter: not supported on /v1/connect/intentions yet");
        }
        IntentionListRequest request = IntentionListRequest.newBuilder().setOptions(c.query.options(r)).build();
        return ApiContext.read(r, c.intentions.list(request), a -> a.getMeta(),
                a -> IntentionJson.intentions(a.getIntentionsList()));
    }

    /** Legacy create: refuses a pair that already has an intention, as Consul does; answers its ID. */
    private CompletableFuture<Reply> create(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        if (!body.stringMap("Meta").isEmpty()) {
            throw HttpError.badRequest("Meta: intention metadata is not stored by this cluster; leave it empty");
        }
        Intention wanted = IntentionJson.body(body).setSourceName(body.text("SourceName"))
                .setDestinationName(body.text("DestinationName")).build();
        IntentionGetRequest get = IntentionGetRequest.newBuilder().setSourceName(wanted.getSourceName())
                .setDestinationName(wanted.getDestinationName()).build();
        // Check, then write: two racing creates of one pair may both succeed, the second replacing the first.
        return Calls.of(r, c.intentions.get(get)).handle((found, failure) -> {
            if (failure == null) {
                Intention i = found.getIntention();
                throw new HttpError(409, "duplicate intention found: " + i.getSourceName() + " => "
                        + i.getDestinationName() + " (" + IntentionJson.action(i.getAction()) + ")");
            }
            if (Status.fromThrowable(failure).getCode() != Status.Code.NOT_FOUND) {
                throw failure instanceof RuntimeException e ? e : new RuntimeException(failure);
            }
            return null;
        }).thenCompose(x -> Calls.of(r, c.intentions.upsert(IntentionUpsertRequest.newBuilder().setIntention(wanted)
                .build()))).thenApply(a -> {
                    ObjectNode out = Json.object();
                    out.put("ID", IntentionJson.id(wanted.getSourceName(), wanted.getDestinationName()));
                    return Json.reply(r, out);
                });
    }

    private CompletableFuture<Reply> getExact(Request r) {
        Pair p = Pair.of(r);
        IntentionGetRequest request = IntentionGetRequest.newBuilder().setSourceName(p.source())
                .setDestinationName(p.destination()).setOptions(c.query.options(r)).build();
        return Calls.of(r, c.intentions.get(request)).thenApply(a -> {
            if (!a.hasIntention()) {
                throw HttpError.notFound("Intention not found: " + p);
            }
            return Json.reply(r, IntentionJson.intention(a.getIntention())).withHeaders(QueryParams.headers(a.getMeta()));
        });
    }

    private CompletableFuture<Reply> putExact(Request r) {
        c.query.checkDatacenter(r);
        Pair p = Pair.of(r);
        // As Consul's exact endpoint: the names come from the query, Meta is not kept.
        Intention i = IntentionJson.body(JsonIn.parseObject(r.body())).setSourceName(p.source())
                .setDestinationName(p.destination()).build();
        return ApiContext.writeTrue(r, c.intentions.upsert(IntentionUpsertRequest.newBuilder().setIntention(i).build()));
    }

    private CompletableFuture<Reply> deleteExact(Request r) {
        c.query.checkDatacenter(r);
        Pair p = Pair.of(r);
        return ApiContext.writeTrue(r, c.intentions.delete(IntentionDeleteRequest.newBuilder()
                .setSourceName(p.source()).setDestinationName(p.destination()).build()));
    }

    private CompletableFuture<Reply> check(Request r) {
        c.query.checkDatacenter(r);
        Pair p = Pair.of(r);
        return Calls.of(r, c.intentions.check(IntentionCheckRequest.newBuilder().setSourceName(p.source())
                .setDestinationName(p.destination()).build())).thenApply(a -> {
                    ObjectNode out = Json.object();
                    out.put("Allowed", a.getAllowed());
                    return Json.reply(r, out);
                });
    }

    private CompletableFuture<Reply> getById(Request r) {
        return byId(r).thenApply(i -> Json.reply(r, IntentionJson.intention(i)));
    }

    /** Legacy update: the ID names the pair, so the body may change the action and description only. */
    private CompletableFuture<Reply> putById(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        Intention.Builder changed = IntentionJson.body(body);
        return byId(r).thenCompose(current -> {
            for (String[] f : new String[][] {{"SourceName", current.getSourceName()},
                    {"DestinationName", current.getDestinationName()}}) {
                String given = body.text(f[0]);
                if (!given.isEmpty() && !given.equals(f[1])) {
                    throw HttpError.badRequest(f[0] + ": an intention's source and destination cannot change (\""
                            + f[1] + "\" here); delete it and create another");
                }
            }
            Intention i = changed.setSourceName(current.getSourceName())
                    .setDestinationName(current.getDestinationName()).build();
            return Calls.of(r, c.intentions.upsert(IntentionUpsertRequest.newBuilder().setIntention(i).build()));
        }).thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> deleteById(Request r) {
        c.query.checkDatacenter(r);
        return byId(r).thenCompose(i -> Calls.of(r, c.intentions.delete(IntentionDeleteRequest.newBuilder()
                .setSourceName(i.getSourceName()).setDestinationName(i.getDestinationName()).build())))
                .thenApply(a -> Reply.empty());
    }

    /** The intention whose derived ID is the path's tail (found in the list: there is no ID index). */
    private CompletableFuture<Intention> byId(Request r) {
        String id = r.tail(BY_ID);
        try {
            UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("Invalid intention ID \"" + id + "\": not a UUID");
        }
        IntentionListRequest request = IntentionListRequest.newBuilder().setOptions(c.query.options(r)).build();
        return Calls.of(r, c.intentions.list(request)).thenApply(a -> a.getIntentionsList().stream()
                .filter(i -> IntentionJson.id(i.getSourceName(), i.getDestinationName()).equals(id)).findFirst()
                .orElseThrow(() -> HttpError.notFound("Intention not found: no intention has ID " + id)));
    }

    /** ?source= and ?destination=, both required; "ns/name" is accepted for the default namespace. */
    record Pair(String source, String destination) {
        static Pair of(Request r) {
            return new Pair(name(r.param("source"), "source"), name(r.param("destination"), "destination"));
        }

        static String name(String v, String param) {
            if (v == null || v.isEmpty()) {
                throw HttpError.badRequest("required query parameter '" + param + "' not set");
            }
            int slash = v.indexOf('/');
            if (slash >= 0) {
                if (!v.substring(0, slash).equals("default")) {
                    throw HttpError.badRequest(param + " \"" + v + "\" is invalid: only the \"default\" namespace exists");
                }
                return v.substring(slash + 1);
            }
            return v;
        }

        @Override
        public String toString() {
            return source + " => " + destination;
        }
    }
}
