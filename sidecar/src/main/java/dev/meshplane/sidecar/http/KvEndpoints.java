package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.KvDeleteRequest;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import java.util.concurrent.CompletableFuture;

/** /v1/kv/KEY: get, list, put (flags, CAS, locks) and delete, onto the KV service. */
final class KvEndpoints {
    private static final String PREFIX = "/v1/kv/";

    private final ApiContext c;

    private KvEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        KvEndpoints e = new KvEndpoints(c);
        router.add("GET", PREFIX, e::get).add("PUT", PREFIX, e::put).add("DELETE", PREFIX, e::delete);
    }

    private CompletableFuture<Reply> get(Request r) {
        String key = r.tail(PREFIX);
        var options = c.query.options(r);
        if (r.has("keys")) {
            String separator = r.has("separator") ? r.param("separator") : "";
            var call = c.kv.list(KvListRequest.newBuilder().setPrefix(key).setKeysOnly(true)
                    .setSeparator(separator == null ? "" : separator).setOptions(options).build());
            return Calls.of(r, call).thenApply(a -> {
                var headers = QueryParams.headers(a.getMeta());
                // Consul answers an empty listing with 404, except for the root, which is [].
                if (a.getKeysCount() == 0 && !key.isEmpty()) {
                    return Reply.text(404, "").withHeaders(headers);
                }
                return Json.reply(r, Json.strings(a.getKeysList())).withHeaders(headers);
            });
        }
        if (r.has("recurse")) {
            var call = c.kv.list(KvListRequest.newBuilder().setPrefix(key).setOptions(options).build());
            return Calls.of(r, call).thenApply(a -> {
                var headers = QueryParams.headers(a.getMeta());
                if (a.getEntriesCount() == 0) {
                    return Reply.text(404, "").withHeaders(headers);
                }
                ArrayNode out = Json.array();
                a.getEntriesList().forEach(e -> out.add(ConsulJson.kv(e)));
                return Json.reply(r, out).withHeaders(headers);
            });
        }
        if (key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        var call = c.kv.get(KvGetRequest.newBuilder().setKey(key).setOptions(options).build());
        return Calls.of(r, call).thenApply(a -> {
            var headers = QueryParams.headers(a.getMeta());
            if (!a.getFound()) {
                return Reply.text(404, "").withHeaders(headers);
            }
            if (r.has("raw")) {
                // Headers that stop a browser from running a stored value as a page.
                return new Reply(200, headers, a.getEntry().getValue().toByteArray(), "text/plain")
                        .withHeader("X-Content-Type-Options", "nosniff")
                        .withHeader("Content-Security-Policy", "sandbox");
            }
            ArrayNode out = Json.array();
            out.add(ConsulJson.kv(a.getEntry()));
            return Json.reply(r, out).withHeaders(headers);
        });
    }

    private CompletableFuture<Reply> put(Request r) {
        c.query.checkDatacenter(r);
        String key = r.tail(PREFIX);
        if (key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        conflicting(r, "cas", "acquire", "release");
        if (r.body().length > c.config.maxKvValueBytes()) {
            throw HttpError.tooLarge("Request body(" + r.body().length + " bytes) too large, max size: "
                    + c.config.maxKvValueBytes() + " bytes");
        }
        KvPutRequest.Builder b = KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(r.body()))
                .setFlags(r.unsigned("flags", 0));
        if (r.has("cas")) {
            b.setCas(r.unsigned("cas", 0));
        }
        if (r.has("acquire")) {
            b.setAcquire(required(r, "acquire"));
        }
        if (r.has("release")) {
            b.setRelease(required(r, "release"));
        }
        return Calls.of(r, c.kv.put(b.build())).thenApply(a ->
                Json.reply(r, Json.MAPPER.getNodeFactory().booleanNode(a.getApplied())));
    }

    private CompletableFuture<Reply> delete(Request r) {
        c.query.checkDatacenter(r);
        String key = r.tail(PREFIX);
        conflicting(r, "recurse", "cas");
        boolean recurse = r.has("recurse");
        if (!recurse && key.isEmpty()) {
            throw HttpError.badRequest("Missing key name");
        }
        KvDeleteRequest.Builder b = KvDeleteRequest.newBuilder().setKey(key).setRecurse(recurse);
        if (r.has("cas")) {
            b.setCas(r.unsigned("cas", 0));
        }
        return Calls.of(r, c.kv.delete(b.build())).thenApply(a ->
                Json.reply(r, Json.MAPPER.getNodeFactory().booleanNode(a.getApplied())));
    }

    private static String required(Request r, String name) {
        String v = r.param(name);
        if (v == null || v.isEmpty()) {
            throw HttpError.badRequest("?" + name + " needs a session ID");
        }
        return v;
    }

    /** Consul refuses parameters that cannot be combined (?cas with ?acquire, ?recurse with ?cas). */
    private static void conflicting(Request r, String... names) {
        String first = null;
        for (String n : names) {
            if (r.has(n)) {
                if (first != null) {
                    throw HttpError.badRequest("Conflicting flags: ?" + first + " and ?" + n + " cannot be combined");
                }
                first = n;
            }
        }
    }
}
