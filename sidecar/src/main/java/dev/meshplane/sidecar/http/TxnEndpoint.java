package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.TxnError;
import dev.meshplane.proto.v1.TxnRequest;
import dev.meshplane.proto.v1.TxnResult;
import java.util.concurrent.CompletableFuture;

/**
 * PUT /v1/txn: Consul's array of KV/Node/Service/Check operations onto the Txn service.
 * 200 with Results when applied; 409 with Errors [{OpIndex, What}] when rolled back.
 */
final class TxnEndpoint {
    /** Consul's limit on operations per transaction. */
    static final int MAX_OPS = 128;

    private final ApiContext c;

    private TxnEndpoint(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        router.add("PUT", "/v1/txn", new TxnEndpoint(c)::apply);
    }

    private CompletableFuture<Reply> apply(Request r) {
        c.query.checkDatacenter(r);
        JsonNode body = Json.parse(r.body());
        if (!body.isArray()) {
            throw HttpError.badRequest("Failed to parse body: expected a JSON array of operations");
        }
        if (body.size() > MAX_OPS) {
            throw HttpError.tooLarge("Transaction contains too many operations (" + body.size() + " > " + MAX_OPS + ")");
        }
        TxnRequest.Builder b = TxnRequest.newBuilder();
        for (int i = 0; i < body.size(); i++) {
            JsonNode op = body.get(i);
            if (!op.isObject()) {
                throw HttpError.badRequest("Failed to parse body: operation " + i + " is not an object");
            }
            b.addOps(TxnOps.decode(new JsonIn(op, "[" + i + "]"), i));
        }
        return Calls.of(r, c.txn.apply(b.build())).thenApply(a -> {
            ObjectNode out = Json.object();
            if (a.getApplied()) {
                ArrayNode results = Json.array();
                a.getResultsList().forEach(res -> results.add(result(res)));
                out.set("Results", results);
                out.putNull("Errors");
                return Json.reply(r, out);
            }
            out.putNull("Results");
            ArrayNode errors = Json.array();
            for (TxnError e : a.getErrorsList()) {
                ObjectNode o = Json.object();
                o.put("OpIndex", e.getOpIndex());
                o.put("What", e.getWhat());
                errors.add(o);
            }
            out.set("Errors", errors);
            return Json.reply(r, 409, out);
        });
    }

    private static ObjectNode result(TxnResult res) {
        ObjectNode o = Json.object();
        switch (res.getResultCase()) {
            case KV -> o.set("KV", ConsulJson.kv(res.getKv()));
            case NODE -> o.set("Node", ConsulJson.node(res.getNode()));
            case SERVICE -> o.set("Service", ConsulJson.service(res.getService()));
            case CHECK -> o.set("Check", ConsulJson.check(res.getCheck()));
            case RESULT_NOT_SET -> { }
        }
        return o;
    }
}
