package dev.meshplane.sidecar.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Consul's repeatable {@code ?node-meta=key:value} parameter. */
final class NodeMetaParams {
    private NodeMetaParams() {}

    static Map<String, String> parse(Request r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : r.params("node-meta")) {
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw HttpError.badRequest("node-meta: \"" + pair + "\" must be key:value");
            }
            out.put(pair.substring(0, colon), pair.substring(colon + 1));
        }
        return out;
    }
}
