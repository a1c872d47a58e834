package dev.meshplane.ca;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The generic SPIFFE ID grammar (SPIFFE-ID spec section 2): {@code spiffe://<trust-domain>[/<segment>...]}.
 * Strict by design: no upper-case scheme, port, user info, query, fragment, percent-encoding,
 * empty, "." or ".." segments, or trailing slash, because two spellings of one identity would
 * let an authorization check be bypassed.
 */
record SpiffeUri(String trustDomain, List<String> segments) {
    static final String SCHEME_PREFIX = "spiffe://";
    /** SPIFFE-ID spec: URIs longer than 2,048 bytes must be rejected. */
    static final int MAX_ID_BYTES = 2048;
    /** SPIFFE-ID spec: a trust domain name should not exceed 255 bytes. */
    static final int MAX_TRUST_DOMAIN_BYTES = 255;

    SpiffeUri {
        segments = List.copyOf(segments);
    }

    static SpiffeUri parse(String id) {
        if (id == null) {
            throw CaException.invalid("SPIFFE ID is missing (null)");
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES) {
            throw CaException.invalid("SPIFFE ID " + Quote.of(id) + " is " + bytes
                    + " bytes; the limit is " + MAX_ID_BYTES);
        }
        if (id.isEmpty()) {
            throw CaException.invalid("SPIFFE ID is empty");
        }
        if (!id.startsWith(SCHEME_PREFIX)) {
            throw CaException.invalid("SPIFFE ID " + Quote.of(id) + " must start with \"spiffe://\" (lower case)");
        }
        String rest = id.substring(SCHEME_PREFIX.length());
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        String problem = trustDomainProblem(trustDomain);
        if (problem != null) {
            throw CaException.invalid("SPIFFE ID " + Quote.of(id) + ": " + problem);
        }
        List<String> segments = new ArrayList<>();
        if (slash >= 0) {
            String path = rest.substring(slash);
            if (path.equals("/") || path.endsWith("/")) {
                throw CaException.invalid("SPIFFE ID " + Quote.of(id) + ": path must not end with '/'");
            }
            for (String segment : path.substring(1).split("/", -1)) {
                problem = segmentProblem(segment);
                if (problem != null) {
                    throw CaException.invalid("SPIFFE ID " + Quote.of(id) + ": " + problem);
                }
                segments.add(segment);
            }
        }
        return new SpiffeUri(trustDomain, segments);
    }

    /** Null when {@code name} is a valid trust domain, else what is wrong with it. */
    static String trustDomainProblem(String name) {
        if (name.isEmpty()) {
            return "trust domain is empty";
        }
        if (name.length() > MAX_TRUST_DOMAIN_BYTES) {
            return "trust domain is " + name.length() + " characters; the limit is " + MAX_TRUST_DOMAIN_BYTES;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isTrustDomainChar(c)) {
                String hint = c >= 'A' && c <= 'Z' ? " (trust domains are lower case)"
                        : c == ':' ? " (a port is not allowed)"
                        : c == '@' ? " (user info is not allowed)" : "";
                return "trust domain " + Quote.of(name) + " has " + Quote.character(c) + " at index " + i
                        + hint + "; allowed are a-z, 0-9, '.', '-' and '_'";
            }
        }
        return null;
    }

    /** Null when {@code segment} is a valid path segment, else what is wrong with it. */
    static String segmentProblem(String segment) {
        if (segment.isEmpty()) {
            return "path has an empty segment ('//')";
        }
        if (segment.equals(".") || segment.equals("..")) {
            return "path segment " + Quote.of(segment) + " is not allowed";
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (!isSegmentChar(c)) {
                String hint = c == '%' ? " (percent-encoding is not allowed)"
                        : c == '?' ? " (a query is not allowed)"
                        : c == '#' ? " (a fragment is not allowed)" : "";
                return "path segment " + Quote.of(segment) + " has " + Quote.character(c) + " at index " + i
                        + hint + "; allowed are a-z, A-Z, 0-9, '.', '-' and '_'";
            }
        }
        return null;
    }

    private static boolean isTrustDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    private static boolean isSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '-' || c == '_';
    }
}
