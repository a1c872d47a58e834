package dev.meshplane.sidecar.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the DNS interface.
 *
 * @param bind               where it listens, UDP and TCP on the same port (port 0 picks a free port)
 * @param domain             the domain answered for, e.g. "consul."
 * @param altDomain          a second domain answered the same way ("" for none)
 * @param onlyPassing        exclude instances in warning too (critical ones are always excluded)
 * @param nodeTtl            TTL of node records
 * @param serviceTtl         TTL per service name: exact names, "prefix*" patterns, or "*"; others get 0
 * @param negativeTtl        how long resolvers may cache a name that does not exist (SOA minimum)
 * @param recursors          servers ("host:port") that answer names outside the domains; none: REFUSED
 * @param recursorTimeout    how long to wait for one recursor before trying the next
 * @param maxUdpPayload      the largest UDP answer, whatever a client's EDNS0 offers
 * @param maxWatchedServices services whose instances are kept watched for answers at once
 * @param serviceIdleTimeout a watched service not asked about for this long is dropped
 */
public record DnsConfig(InetSocketAddress bind, String domain, String altDomain, boolean onlyPassing,
                        Duration nodeTtl, Map<String, Duration> serviceTtl, Duration negativeTtl,
                        List<InetSocketAddress> recursors, Duration recursorTimeout, int maxUdpPayload,
                        int maxWatchedServices, Duration serviceIdleTimeout) {
    /** Consul's DNS port. */
    public static final int DEFAULT_PORT = 8600;
    public static final String DEFAULT_DOMAIN = "consul.";
    /** Consul's defaults: answers are not cached, so a change is seen at once. */
    public static final Duration DEFAULT_TTL = Duration.ZERO;
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ZERO;
    public static final Duration DEFAULT_RECURSOR_TIMEOUT = Duration.ofSeconds(2);
    /** What EDNS0 clients commonly offer and what fits a typical path without fragmentation trouble. */
    public static final int DEFAULT_MAX_UDP_PAYLOAD = 4096;
    public static final int DEFAULT_MAX_WATCHED_SERVICES = 4096;
    public static final Duration DEFAULT_SERVICE_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Plain DNS over UDP without EDNS0 (RFC 1035). */
    static final int CLASSIC_UDP_PAYLOAD = 512;
    /** A DNS message over TCP carries a 16-bit length. */
    static final int MAX_TCP_MESSAGE = 65535;

    public DnsConfig {
        if (bind == null) {
            throw new IllegalArgumentException("dns bind address must be set");
        }
        domain = normalizeDomain("domain", domain);
        altDomain = altDomain == null || altDomain.isEmpty() ? "" : normalizeDomain("altDomain", altDomain);
        if (!altDomain.isEmpty() && altDomain.equals(domain)) {
            throw new IllegalArgumentException("altDomain " + altDomain + " must differ from domain " + domain);
        }
        checkTtl("nodeTtl", nodeTtl);
        checkTtl("negativeTtl", negativeTtl);
        serviceTtl = Map.copyOf(serviceTtl);
        serviceTtl.forEach((name, ttl) -> {
            if (name.isEmpty() || (name.indexOf('*') >= 0 && name.indexOf('*') != name.length() - 1)) {
                throw new IllegalArgumentException("serviceTtl: \"" + name
                        + "\" must be a service name, a prefix ending in '*', or '*'");
            }
            checkTtl("serviceTtl[" + name + "]", ttl);
        });
        recursors = List.copyOf(recursors);
        if (recursorTimeout.isNegative() || recursorTimeout.isZero()) {
            throw new IllegalArgumentException("recursorTimeout " + recursorTimeout + " must be positive");
        }
        if (maxUdpPayload < CLASSIC_UDP_PAYLOAD || maxUdpPayload > MAX_TCP_MESSAGE) {
            throw new IllegalArgumentException("maxUdpPayload " + maxUdpPayload + " must be between 512 and 65535");
        }
        if (maxWatchedServices < 0) {
            throw new IllegalArgumentException("maxWatchedServices " + maxWatchedServices + " must not be negative");
        }
        if (serviceIdleTimeout.isNegative() || serviceIdleTimeout.isZero()) {
            throw new IllegalArgumentException("serviceIdleTimeout " + serviceIdleTimeout + " must be positive");
        }
    }

    public static DnsConfig defaults(InetSocketAddress bind) {
        return new DnsConfig(bind, DEFAULT_DOMAIN, "", false, DEFAULT_TTL, Map.of(), DEFAULT_NEGATIVE_TTL, List.of(),
                DEFAULT_RECURSOR_TIMEOUT, DEFAULT_MAX_UDP_PAYLOAD, DEFAULT_MAX_WATCHED_SERVICES,
                DEFAULT_SERVICE_IDLE_TIMEOUT);
    }

    /** The TTL for a service's records: exact name first, then the longest matching prefix, then "*". */
    long serviceTtlSeconds(String service) {
        Duration exact = serviceTtl.get(service);
        if (exact != null) {
            return exact.toSeconds();
        }
        String best = null;
        for (String pattern : serviceTtl.keySet()) {
            if (pattern.endsWith("*") && service.startsWith(pattern.substring(0, pattern.length() - 1))
                    && (best == null || pattern.length() > best.length())) {
                best = pattern;
            }
        }
        return best == null ? 0 : serviceTtl.get(best).toSeconds();
    }

    private static String normalizeDomain(String field, String d) {
        if (d == null || d.isEmpty() || d.equals(".")) {
            throw new IllegalArgumentException(field + " must be set, e.g. \"consul.\"");
        }
        String s = d.toLowerCase(Locale.ROOT);
        if (!s.endsWith(".")) {
            s = s + ".";
        }
        if (s.startsWith(".")) {
            throw new IllegalArgumentException(field + " \"" + d + "\" must not start with '.'");
        }
        for (String label : s.substring(0, s.length() - 1).split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_-]+")) {
                throw new IllegalArgumentException(field + " \"" + d
                        + "\" must be dot-separated labels of 1-63 letters, digits, '-' or '_'");
            }
        }
        return s;
    }

    private static void checkTtl(String field, Duration ttl) {
        if (ttl.isNegative() || ttl.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field + " " + ttl + " must be between 0 and 2^31-1 seconds");
        }
    }
}
