package dev.meshplane.sidecar.xds;

import com.google.protobuf.Any;
import dev.meshplane.api.IntentionDecider;
import dev.meshplane.api.IntentionRules;
import dev.meshplane.proto.v1.Intention;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the intentions into the RBAC HTTP filter of a server Listener: which callers may reach one
 * destination service. Only matchers grpc-java evaluates are used (gRFC A41): {@code authenticated}
 * with a safe-regex {@code principal_name} (gRPC matches it against the caller certificate's URI
 * SANs), {@code and_ids}, {@code or_ids}, {@code not_id}, and the {@code any} permission.
 *
 * <p>Precedence is not re-encoded rule by rule. For a destination D the callers fall into finitely
 * many classes: each service named as an exact source by an intention that can apply to D, and
 * "every other mesh service", which only wildcard-source intentions or the default policy can
 * decide. {@link IntentionDecider} (the rule the servers and the sidecar proxy use) decides each
 * class once, so the filter cannot disagree with them. The filter's action is ALLOW: a caller is
 * let through only when a policy names it, so a caller with no mesh identity of this trust domain
 * is always refused (fail closed).
 *
 * <p>A caller's SPIFFE ID is {@code spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>}. The
 * datacenter is matched by any segment, as the sidecar proxy does: intentions name services, not
 * datacenters.
 */
final class IntentionRbac {
    static final String RBAC_FILTER = "envoy.filters.http.rbac";
    /**
     * Stands for every source no intention names exactly: it equals no service name (names cannot be
     * empty), so only wildcard sources match it.
     */
    private static final String ANY_OTHER_SOURCE = "";

    private IntentionRbac() {}

    /** The RBAC rules for callers of {@code destination}. */
    static RBAC forDestination(String destination, List<Intention> intentions, boolean defaultAllow,
                               String trustDomain) {
        List<Intention> relevant = new ArrayList<>();
        TreeSet<String> exactSources = new TreeSet<>();
        for (Intention i : intentions) {
            String dst = i.getDestinationName();
            if (dst.equals(destination) || dst.equals(IntentionRules.WILDCARD)) {
                relevant.add(i);
                if (!i.getSourceName().equals(IntentionRules.WILDCARD)) {
                    exactSources.add(i.getSourceName());
                }
            }
        }
        IntentionDecider decider = new IntentionDecider(relevant, defaultAllow);
        IntentionDecider.Decision others = decider.decide(ANY_OTHER_SOURCE, destination);
        Map<String, Policy> policies = new TreeMap<>();
        List<Principal> deniedExact = new ArrayList<>();
        for (String source : exactSources) {
            IntentionDecider.Decision d = decider.decide(source, destination);
            if (d.allowed() && !others.allowed()) {
                policies.put(policyName(d, source, destination), policy(principal(trustDomain, source)));
            } else if (!d.allowed() && others.allowed()) {
                deniedExact.add(principal(trustDomain, source));
            }
            // Otherwise the source is decided like every other source: the "others" policy covers it.
        }
        if (others.allowed()) {
            Principal anyService = authenticated(anyServicePattern(trustDomain));
            Principal who = deniedExact.isEmpty() ? anyService : Principal.newBuilder()
                    .setAndIds(Principal.Set.newBuilder().addIds(anyService).addIds(Principal.newBuilder()
                            .setNotId(Principal.newBuilder().setOrIds(Principal.Set.newBuilder()
                                    .addAllIds(deniedExact))))).build();
            policies.put(policyName(others, IntentionRules.WILDCARD, destination), policy(who));
        }
        // No policy at all means every call is refused, which is what a deny-everything set asks for.
        return RBAC.newBuilder().setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
                .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW).putAllPolicies(policies)).build();
    }

    /** Rules that refuse every call (a server whose node names no mesh service cannot be authorized). */
    static RBAC denyAll() {
        return RBAC.newBuilder().setRules(io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
                .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW)).build();
    }

    static HttpFilter filter(RBAC rbac) {
        return HttpFilter.newBuilder().setName(RBAC_FILTER).setTypedConfig(Any.pack(rbac)).build();
    }

    /** Says who is let in and why, e.g. "web => db allowed by intention web => *": gRPC logs the matching name. */
    private static String policyName(IntentionDecider.Decision d, String source, String destination) {
        return source + " => " + destination + " allowed by " + d.decidedBy()
                .map(i -> "intention " + i.getSourceName() + " => " + i.getDestinationName())
                .orElse("the default policy");
    }

    private static Policy policy(Principal who) {
        return Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true)).addPrincipals(who).build();
    }

    /** A caller whose certificate names {@code service} in this trust domain, any datacenter. */
    static Principal principal(String trustDomain, String service) {
        return authenticated(idPrefix(trustDomain) + quote(service));
    }

    /** Any service of this trust domain. */
    static String anyServicePattern(String trustDomain) {
        return idPrefix(trustDomain) + "[^/]+";
    }

    private static String idPrefix(String trustDomain) {
        return "spiffe://" + quote(trustDomain) + "/ns/default/dc/[^/]+/svc/";
    }

    private static Principal authenticated(String regex) {
        return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(
                StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(regex)))).build();
    }

    /**
     * Escapes RE2 metacharacters. Trust domains and service names only carry {@code [A-Za-z0-9._-]},
     * so in practice this escapes dots; the rest is defence against a name rule loosened later.
     */
    static String quote(String literal) {
        StringBuilder b = new StringBuilder(literal.length() + 8);
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
