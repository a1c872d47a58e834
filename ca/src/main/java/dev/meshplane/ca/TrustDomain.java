package dev.meshplane.ca;

/**
 * A SPIFFE trust domain: the authority every identity of one Meshplane cluster lives under.
 * Lower-case letters, digits, '.', '-' and '_', at most 255 characters.
 *
 * @param name the trust domain, e.g. {@code 7f3c...-b2.consul}
 */
public record TrustDomain(String name) {
    /** Consul's suffix, kept so that tooling that knows Consul's trust domains recognises ours. */
    static final String CLUSTER_SUFFIX = ".consul";

    public TrustDomain {
        if (name == null) {
            throw CaException.invalid("trust domain is missing (null)");
        }
        String problem = SpiffeUri.trustDomainProblem(name);
        if (problem != null) {
            throw CaException.invalid(problem);
        }
    }

    /** The trust domain of a cluster: {@code <cluster-id>.consul}, as Consul names it. */
    public static TrustDomain forCluster(String clusterId) {
        if (clusterId == null || clusterId.isEmpty()) {
            throw CaException.invalid("cluster id is missing");
        }
        String problem = SpiffeUri.trustDomainProblem(clusterId + CLUSTER_SUFFIX);
        if (problem != null) {
            throw CaException.invalid("cluster id " + Quote.of(clusterId) + " cannot name a trust domain: " + problem);
        }
        return new TrustDomain(clusterId + CLUSTER_SUFFIX);
    }

    /** Parses the trust domain's own ID, {@code spiffe://<trust-domain>} (no path): what a CA certificate carries. */
    public static TrustDomain parseUri(String uri) {
        SpiffeUri parsed = SpiffeUri.parse(uri);
        if (!parsed.segments().isEmpty()) {
            throw CaException.invalid("SPIFFE ID " + Quote.of(uri) + " names a workload; a trust domain ID has no path");
        }
        return new TrustDomain(parsed.trustDomain());
    }

    /** {@code spiffe://<trust-domain>}. */
    public String uri() {
        return SpiffeUri.SCHEME_PREFIX + name;
    }

    @Override
    public String toString() {
        return name;
    }
}
