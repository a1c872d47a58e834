package dev.meshplane.api;

import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;

/** Validates intentions and computes their precedence. */
public final class IntentionRules {
    /** The name that matches every service. */
    public static final String WILDCARD = "*";
    /** Longest description kept: it is for people, not documents. */
    public static final int MAX_DESCRIPTION_CHARS = 512;

    private IntentionRules() {}

    /** A source or destination: a service name or {@code *}. */
    public static void checkEndpoint(String field, String value) {
        if (!WILDCARD.equals(value)) {
            NameRules.checkName(field, value);
        }
    }

    /**
     * The intention ready to be written: endpoints and action checked, precedence computed,
     * indexes cleared (the state store assigns them). Throws INVALID_ARGUMENT naming the field.
     */
    public static Intention normalize(String path, Intention in) {
        checkEndpoint(path + ".source_name", in.getSourceName());
        checkEndpoint(path + ".destination_name", in.getDestinationName());
        if (in.getAction() != IntentionAction.INTENTION_ACTION_ALLOW
                && in.getAction() != IntentionAction.INTENTION_ACTION_DENY) {
            throw ApiException.invalidArgument(path + ".action", "must be ALLOW or DENY");
        }
        if (in.getDescription().length() > MAX_DESCRIPTION_CHARS) {
            throw ApiException.invalidArgument(path + ".description", "is " + in.getDescription().length()
                    + " characters long; the limit is " + MAX_DESCRIPTION_CHARS);
        }
        if (Text.firstControl(in.getDescription()) >= 0) {
            throw ApiException.invalidArgument(path + ".description", "must not contain control characters");
        }
        return in.toBuilder().setPrecedence(precedence(in.getSourceName(), in.getDestinationName()))
                .clearCreateIndex().clearModifyIndex().build();
    }

    /**
     * Consul's precedence without namespaces: an exact destination counts more than an exact
     * source, so {@code * -> db} (8) outranks {@code web -> *} (6).
     */
    public static int precedence(String source, String destination) {
        boolean exactSource = !WILDCARD.equals(source);
        boolean exactDestination = !WILDCARD.equals(destination);
        if (exactDestination) {
            return exactSource ? 9 : 8;
        }
        return exactSource ? 6 : 5;
    }
}
