package dev.meshplane.sidecar.membership;

import dev.meshplane.sidecar.gossip.MemberStatus;

/** Consul's words and numbers for a member's state (serf: 1 alive, 3 left, 4 failed). */
public final class MemberStatusNames {
    private MemberStatusNames() {}

    /** "alive", "suspect", "failed" or "left". */
    public static String name(MemberStatus status) {
        return switch (status) {
            case ALIVE -> "alive";
            case SUSPECT -> "suspect";
            case DEAD -> "failed";
            case LEFT -> "left";
        };
    }

    /** Serf's status code as /v1/agent/members reports it; a suspect member is still alive there. */
    public static int code(String name) {
        return switch (name) {
            case "alive", "suspect" -> 1;
            case "left" -> 3;
            case "failed" -> 4;
            default -> 0;
        };
    }
}
