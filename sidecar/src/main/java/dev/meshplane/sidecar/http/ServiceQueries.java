package dev.meshplane.sidecar.http;

import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.ServiceQuery;
import java.util.LinkedHashSet;
import java.util.Set;

/** Builds the ServiceQuery behind catalog and health service reads: ?tag, ?node-meta, ?filter, ?passing. */
final class ServiceQueries {
    private ServiceQueries() {}

    static ServiceQuery build(Request r, String service, QueryOptions options, String tagsSelector,
                              String metaSelector, boolean allowPassing) {
        ServiceQuery.Builder b = ServiceQuery.newBuilder().setService(service).setOptions(options);
        Set<String> tags = new LinkedHashSet<>(r.params("tag"));
        b.putAllNodeMeta(NodeMetaParams.parse(r));
        String filter = r.param("filter");
        if (filter != null) {
            FilterExpression.Terms terms = FilterExpression.parse(filter, tagsSelector, metaSelector);
            tags.addAll(terms.tags());
            for (var e : terms.nodeMeta().entrySet()) {
                String previous = b.getNodeMetaMap().get(e.getKey());
                if (previous != null && !previous.equals(e.getValue())) {
                    throw HttpError.badRequest("filter: node meta \"" + e.getKey()
                            + "\" conflicts with ?node-meta");
                }
                b.putNodeMeta(e.getKey(), e.getValue());
            }
        }
        b.addAllTags(tags);
        if (allowPassing && r.has("passing")) {
            String v = r.param("passing");
            // Consul takes ?passing, ?passing=true and ?passing=false.
            b.setPassingOnly(v == null || v.isEmpty() || !v.equalsIgnoreCase("false"));
        }
        return b.build();
    }
}
