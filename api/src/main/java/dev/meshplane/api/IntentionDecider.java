package dev.meshplane.api;

import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a source service may connect to a destination: the matching intention of
 * highest precedence wins, a deny beats an allow of equal precedence, and the default policy
 * decides when none matches. Shared by the servers (Check) and the sidecars (their cache), so
 * both decide identically. Immutable.
 */
public final class IntentionDecider {
    /** Evaluation order: precedence descending, deny before allow, then by names for stability. */
    public static final Comparator<Intention> EVALUATION_ORDER = Comparator
            .comparingInt(Intention::getPrecedence).reversed()
            .thenComparing(i -> i.getAction() == IntentionAction.INTENTION_ACTION_DENY ? 0 : 1)
            .thenComparing(Intention::getDestinationName)
            .thenComparing(Intention::getSourceName);

    /** The outcome: allowed or not, and the intention that decided (empty: the default policy). */
    public record Decision(boolean allowed, Optional<Intention> decidedBy, String reason) {}

    private final List<Intention> ordered;
    private final boolean defaultAllow;

    public IntentionDecider(Collection<Intention> intentions, boolean defaultAllow) {
        List<Intention> sorted = new ArrayList<>(intentions);
        sorted.sort(EVALUATION_ORDER);
        this.ordered = List.copyOf(sorted);
        this.defaultAllow = defaultAllow;
    }

    public Decision decide(String source, String destination) {
        for (Intention i : ordered) {
            if (matches(i.getSourceName(), source) && matches(i.getDestinationName(), destination)) {
                boolean allowed = i.getAction() == IntentionAction.INTENTION_ACTION_ALLOW;
                return new Decision(allowed, Optional.of(i), (allowed ? "allowed" : "denied") + " by intention "
                        + i.getSourceName() + " => " + i.getDestinationName() + " (" + (allowed ? "allow" : "deny")
                        + ", precedence " + i.getPrecedence() + ")");
            }
        }
        return new Decision(defaultAllow, Optional.empty(), (defaultAllow ? "allowed" : "denied")
                + " by the default policy (" + (defaultAllow ? "allow" : "deny") + "): no intention matches "
                + source + " => " + destination);
    }

    /** Intentions whose source (or destination) matches {@code name}, in evaluation order. */
    public List<Intention> matching(String name, boolean bySource) {
        List<Intention> out = new ArrayList<>();
        for (Intention i : ordered) {
            if (matches(bySource ? i.getSourceName() : i.getDestinationName(), name)) {
                out.add(i);
            }
        }
        return out;
    }

    public List<Intention> ordered() {
        return ordered;
    }

    public boolean defaultAllow() {
        return defaultAllow;
    }

    private static boolean matches(String pattern, String name) {
        return IntentionRules.WILDCARD.equals(pattern) || pattern.equals(name);
    }
}
