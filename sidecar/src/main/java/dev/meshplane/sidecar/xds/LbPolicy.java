package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.ServiceEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The load-balancing policy a service asks its gRPC clients to use, read from its instances' meta:
 * {@value #META_KEY} = {@code round_robin} (default), {@code ring_hash} or {@code least_request};
 * with ring_hash, {@value #HASH_HEADER_META_KEY} names the request header whose value is hashed
 * (default {@value #DEFAULT_HASH_HEADER}). When instances disagree (during a rolling change), the
 * value most of them carry wins, ties going to the alphabetically first.
 */
record LbPolicy(Kind kind, String hashHeader) {
    private static final Logger LOG = Logger.getLogger(LbPolicy.class.getName());
    static final String META_KEY = "grpc-lb-policy";
    static final String HASH_HEADER_META_KEY = "grpc-hash-header";
    static final String DEFAULT_HASH_HEADER = "x-mesh-hash-key";
    static final LbPolicy ROUND_ROBIN = new LbPolicy(Kind.ROUND_ROBIN, DEFAULT_HASH_HEADER);

    enum Kind { ROUND_ROBIN, RING_HASH, LEAST_REQUEST }

    static LbPolicy of(String service, List<ServiceEntry> instances) {
        Optional<String> value = mostCommon(instances, META_KEY);
        if (value.isEmpty()) {
            return ROUND_ROBIN;
        }
        Kind kind;
        try {
            kind = Kind.valueOf(value.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.warning("service " + service + ": meta " + META_KEY + " \"" + value.get()
                    + "\" is not round_robin, ring_hash or least_request; using round_robin");
            return ROUND_ROBIN;
        }
        String header = mostCommon(instances, HASH_HEADER_META_KEY).map(h -> h.toLowerCase(Locale.ROOT))
                .orElse(DEFAULT_HASH_HEADER);
        return new LbPolicy(kind, header);
    }

    private static Optional<String> mostCommon(List<ServiceEntry> instances, String key) {
        Map<String, Integer> counts = new HashMap<>();
        for (ServiceEntry e : instances) {
            String v = e.getService().getMetaMap().get(key);
            if (v != null && !v.isEmpty()) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .min((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey())
                        : Integer.compare(b.getValue(), a.getValue()))
                .map(Map.Entry::getKey);
    }
}
