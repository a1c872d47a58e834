package dev.meshplane.sidecar.http;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.QueryMeta;
import dev.meshplane.proto.v1.QueryOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters every Consul read takes (?index, ?wait, ?stale, ?consistent, ?dc) turned into
 * {@link QueryOptions}, and {@link QueryMeta} turned back into Consul's X-Consul-* headers.
 */
final class QueryParams {
    private final String datacenter;

    /** @param datacenter the only datacenter this agent can answer for (no federation yet) */
    QueryParams(String datacenter) {
        this.datacenter = datacenter;
    }

    QueryOptions options(Request r) {
        checkDatacenter(r);
        QueryOptions.Builder b = QueryOptions.newBuilder();
        String wait = r.param("wait");
        if (wait != null && !wait.isEmpty()) {
            Duration d;
            try {
                d = GoDuration.parse(wait);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("Invalid wait time: " + e.getMessage());
            }
            if (d.isNegative()) {
                throw HttpError.badRequest("Invalid wait time: \"" + wait + "\" is negative");
            }
            b.setWait(Durations.toProto(d));
        }
        String index = r.param("index");
        if (index != null && !index.isEmpty()) {
            try {
                b.setIndex(Long.parseUnsignedLong(index));
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Invalid index: \"" + index + "\" is not an unsigned integer");
            }
        }
        boolean stale = r.has("stale");
        boolean consistent = r.has("consistent");
        if (stale && consistent) {
            throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        b.setConsistency(stale ? Consistency.CONSISTENCY_STALE
                : consistent ? Consistency.CONSISTENCY_CONSISTENT : Consistency.CONSISTENCY_DEFAULT);
        return b.build();
    }

    /** Writes carry ?dc too; only the local datacenter exists until federation is built. */
    void checkDatacenter(Request r) {
        checkDatacenter(r.param("dc"));
    }

    void checkDatacenter(String dc) {
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            throw HttpError.badRequest("No path to datacenter \"" + dc + "\": this agent serves only datacenter \""
                    + datacenter + "\" (federation is not available yet)");
        }
    }

    String datacenter() {
        return datacenter;
    }

    static Map<String, String> headers(QueryMeta meta) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Consul-Index", Long.toUnsignedString(Math.max(1, meta.getIndex())));
        h.put("X-Consul-KnownLeader", Boolean.toString(meta.getKnownLeader()));
        h.put("X-Consul-LastContact", Long.toString(Math.max(0, Durations.toJava(meta.getLastContact()).toMillis())));
        h.put("X-Consul-Effective-Consistency", switch (meta.getEffectiveConsistency()) {
            case CONSISTENCY_CONSISTENT -> "consistent";
            case CONSISTENCY_STALE -> "stale";
            case CONSISTENCY_DEFAULT, UNRECOGNIZED -> "leader";
        });
        return h;
    }
}
