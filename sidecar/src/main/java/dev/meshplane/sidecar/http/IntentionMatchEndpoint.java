package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.IntentionDecider;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionMatchRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/connect/intentions/match?by=source|destination&name=N[&name=M...]: for each name the
 * intentions that apply to it, in evaluation order, as {"N": [...], "M": [...]}. One blocking
 * Intentions.List read for all names (at most {@link #MAX_NAMES}), matched by the same
 * {@link IntentionDecider} the servers and sidecars use, so a change to any of them wakes it.
 */
final class IntentionMatchEndpoint {
    /** Names per request: bounds the answer, not the calls (there is one). */
    static final int MAX_NAMES = 64;

    private final ApiContext c;

    private IntentionMatchEndpoint(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        router.add("GET", "/v1/connect/intentions/match", new IntentionMatchEndpoint(c)::match);
    }

    private CompletableFuture<Reply> match(Request r) {
        List<String> by = r.params("by");
        if (by.size() != 1) {
            throw HttpError.badRequest("required query parameter 'by' not set");
        }
        IntentionMatchRequest.By type = switch (by.get(0)) {
            case "source" -> IntentionMatchRequest.By.BY_SOURCE;
            case "destination" -> IntentionMatchRequest.By.BY_DESTINATION;
            default -> throw HttpError.badRequest("'by' parameter must be one of 'source' or 'destination'");
        };
        List<String> names = new ArrayList<>(new LinkedHashSet<>(r.params("name")));
        if (names.isEmpty()) {
            throw HttpError.badRequest("required query parameter 'name' not set");
        }
        if (names.size() > MAX_NAMES) {
            throw HttpError.badRequest("too many names: " + names.size() + " (the limit is " + MAX_NAMES + ")");
        }
        List<String> lookups = new ArrayList<>();
        for (String n : names) {
            lookups.add(IntentionEndpoints.Pair.name(n, "name"));
        }
        boolean bySource = type == IntentionMatchRequest.By.BY_SOURCE;
        IntentionListRequest request = IntentionListRequest.newBuilder().setOptions(c.query.options(r)).build();
        return ApiContext.read(r, c.intentions.list(request), a -> a.getMeta(), a -> {
            IntentionDecider decider = new IntentionDecider(a.getIntentionsList(), a.getDefaultAllow());
            ObjectNode out = Json.object();
            for (int i = 0; i < names.size(); i++) {
                out.set(names.get(i), IntentionJson.intentions(decider.matching(lookups.get(i), bySource)));
            }
            return out;
        });
    }
}
