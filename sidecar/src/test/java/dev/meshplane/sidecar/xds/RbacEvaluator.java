package dev.meshplane.sidecar.xds;

import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.regex.Pattern;

/**
 * Evaluates RBAC rules for one caller as gRFC A41 specifies it for grpc-java, restricted to the
 * matchers the generator is allowed to use: anything else fails the test, so the generator cannot
 * drift into matchers grpc-java would treat differently. {@code authenticated.principal_name} is
 * matched against the caller's URI SAN, or against "" when the caller has no certificate.
 */
final class RbacEvaluator {
    private RbacEvaluator() {}

    /** Whether a caller whose certificate's URI SAN is {@code uriSan} (null: no certificate) gets through. */
    static boolean allows(RBAC rbac, String uriSan) {
        if (!rbac.hasRules()) {
            return true;
        }
        var rules = rbac.getRules();
        boolean matched = false;
        for (Policy p : rules.getPoliciesMap().values()) {
            if (p.hasCondition() || p.hasCheckedCondition()) {
                throw new AssertionError("CEL conditions are refused by gRPC");
            }
            boolean permission = p.getPermissionsList().stream().anyMatch(RbacEvaluator::permission);
            boolean principal = p.getPrincipalsList().stream().anyMatch(x -> principal(x, uriSan));
            matched |= permission && principal;
        }
        return switch (rules.getAction()) {
            case ALLOW -> matched;
            case DENY -> !matched;
            default -> throw new AssertionError("action " + rules.getAction() + " is not generated");
        };
    }

    private static boolean permission(Permission p) {
        if (p.getRuleCase() != Permission.RuleCase.ANY) {
            throw new AssertionError("only the any permission is generated, got " + p.getRuleCase());
        }
        return p.getAny();
    }

    private static boolean principal(Principal p, String uriSan) {
        return switch (p.getIdentifierCase()) {
            case ANY -> p.getAny();
            case AND_IDS -> p.getAndIds().getIdsList().stream().allMatch(x -> principal(x, uriSan));
            case OR_IDS -> p.getOrIds().getIdsList().stream().anyMatch(x -> principal(x, uriSan));
            case NOT_ID -> !principal(p.getNotId(), uriSan);
            case AUTHENTICATED -> string(p.getAuthenticated().getPrincipalName(), uriSan == null ? "" : uriSan);
            default -> throw new AssertionError("principal " + p.getIdentifierCase() + " is not generated");
        };
    }

    private static boolean string(StringMatcher m, String value) {
        return switch (m.getMatchPatternCase()) {
            case EXACT -> value.equals(m.getExact());
            case PREFIX -> value.startsWith(m.getPrefix());
            case SUFFIX -> value.endsWith(m.getSuffix());
            // The generated patterns use only syntax RE2 and java.util.regex read alike; a full match, as gRPC does.
            case SAFE_REGEX -> Pattern.compile(m.getSafeRegex().getRegex()).matcher(value).matches();
            default -> throw new AssertionError("string matcher " + m.getMatchPatternCase() + " is not generated");
        };
    }
}
