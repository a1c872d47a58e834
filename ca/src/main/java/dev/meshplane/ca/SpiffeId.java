package dev.meshplane.ca;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The identity of a service: {@code spiffe://<trust-domain>/ns/<namespace>/dc/<datacenter>/svc/<service>},
 * the form Consul puts in its leaf certificates. Every instance is valid; {@link #parse} and the
 * constructor refuse anything else with a message naming the offending part.
 */
public record SpiffeId(TrustDomain trustDomain, String namespace, String datacenter, String service) {
    /** Meshplane has a single namespace, as Consul's community edition does. */
    public static final String DEFAULT_NAMESPACE = "default";

    public SpiffeId {
        if (trustDomain == null) {
            throw CaException.invalid("SPIFFE ID trust domain is missing (null)");
        }
        checkSegment("namespace", namespace);
        checkSegment("datacenter", datacenter);
        checkSegment("service", service);
        int bytes = (SpiffeUri.SCHEME_PREFIX + trustDomain.name() + "/ns/" + namespace + "/dc/" + datacenter
                + "/svc/" + service).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > SpiffeUri.MAX_ID_BYTES) {
            throw CaException.invalid("SPIFFE ID for service " + Quote.of(service) + " would be " + bytes
                    + " bytes; the limit is " + SpiffeUri.MAX_ID_BYTES);
        }
    }

    /** The ID of {@code service} in the default namespace. */
    public static SpiffeId of(TrustDomain trustDomain, String datacenter, String service) {
        return new SpiffeId(trustDomain, DEFAULT_NAMESPACE, datacenter, service);
    }

    /** Parses {@code spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>}. */
    public static SpiffeId parse(String uri) {
        SpiffeUri parsed = SpiffeUri.parse(uri);
        List<String> s = parsed.segments();
        if (s.size() != 6 || !s.get(0).equals("ns") || !s.get(2).equals("dc") || !s.get(4).equals("svc")) {
            String path = uri.substring(SpiffeUri.SCHEME_PREFIX.length() + parsed.trustDomain().length());
            throw CaException.invalid("SPIFFE ID " + Quote.of(uri)
                    + ": path must be /ns/<namespace>/dc/<datacenter>/svc/<service>, got "
                    + (path.isEmpty() ? "no path" : Quote.of(path)));
        }
        return new SpiffeId(new TrustDomain(parsed.trustDomain()), s.get(1), s.get(3), s.get(5));
    }

    /** The URI form, as it appears in a certificate's URI SAN. */
    public String uri() {
        return SpiffeUri.SCHEME_PREFIX + trustDomain.name() + "/ns/" + namespace + "/dc/" + datacenter
                + "/svc/" + service;
    }

    @Override
    public String toString() {
        return uri();
    }

    private static void checkSegment(String what, String value) {
        if (value == null) {
            throw CaException.invalid("SPIFFE ID " + what + " is missing (null)");
        }
        String problem = SpiffeUri.segmentProblem(value);
        if (problem != null) {
            throw CaException.invalid("SPIFFE ID " + what + ": " + problem);
        }
    }
}
