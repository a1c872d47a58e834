package dev.meshplane.api;

import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionBehavior;
import java.time.Duration;

/** Validates a session to create and fills in Consul's defaults. */
public final class SessionRules {
    /** The node's membership check, which sessions rely on unless told otherwise. */
    public static final String SERF_HEALTH = "serfHealth";
    public static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    public static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);
    /** Consul's default session_ttl_min; servers may be configured lower (tests) or higher. */
    public static final Duration MIN_TTL = Duration.ofSeconds(10);
    public static final Duration MAX_TTL = Duration.ofHours(24);
    public static final int MAX_CHECKS = 64;

    private SessionRules() {}

    /**
     * Returns the session with defaults applied and {@code id} set, or throws INVALID_ARGUMENT
     * naming the field.
     *
     * @param lockDelaySet whether the client gave a lock delay (an explicit 0 is allowed)
     * @param minTtl       the smallest TTL this server accepts
     */
    public static Session normalize(Session s, String id, boolean lockDelaySet, boolean noNodeChecks,
                                    Duration minTtl) {
        NameRules.checkName("session.node", s.getNode());
        if (s.getName().length() > ApiLimits.MAX_ID_LENGTH || Text.firstControl(s.getName()) >= 0) {
            throw ApiException.invalidArgument("session.name", "must be at most " + ApiLimits.MAX_ID_LENGTH
                    + " characters without control characters");
        }
        if (s.getBehavior() == SessionBehavior.UNRECOGNIZED) {
            throw ApiException.invalidArgument("session.behavior", "unknown behavior " + s.getBehaviorValue());
        }
        Session.Builder b = s.toBuilder().setId(id).clearCreateIndex().clearModifyIndex();
        Duration ttl = Durations.toJava(s.getTtl());
        if (!ttl.isZero() && (ttl.compareTo(minTtl) < 0 || ttl.compareTo(MAX_TTL) > 0)) {
            throw ApiException.invalidArgument("session.ttl", format(ttl) + " is outside " + format(minTtl)
                    + " to 24h (0 for none)");
        }
        Duration lockDelay = lockDelaySet ? Durations.toJava(s.getLockDelay()) : DEFAULT_LOCK_DELAY;
        if (lockDelay.isNegative() || lockDelay.compareTo(MAX_LOCK_DELAY) > 0) {
            throw ApiException.invalidArgument("session.lock_delay", format(lockDelay) + " is outside 0s to 60s");
        }
        b.setLockDelay(Durations.toProto(lockDelay));
        if (s.getNodeChecksCount() == 0 && !noNodeChecks) {
            b.addNodeChecks(SERF_HEALTH);
        }
        if (s.getNodeChecksCount() + s.getServiceChecksCount() > MAX_CHECKS) {
            throw ApiException.invalidArgument("session.node_checks", "at most " + MAX_CHECKS + " checks");
        }
        for (int i = 0; i < s.getNodeChecksCount(); i++) {
            NameRules.checkId("session.node_checks[" + i + "]", s.getNodeChecks(i));
        }
        for (int i = 0; i < s.getServiceChecksCount(); i++) {
            NameRules.checkId("session.service_checks[" + i + "]", s.getServiceChecks(i));
        }
        return b.build();
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
