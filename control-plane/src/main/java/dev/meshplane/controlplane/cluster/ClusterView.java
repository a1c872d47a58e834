package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.raft.RaftRole;
import java.util.List;

/**
 * What other threads may know about the Raft core, published by the loop after each step (the
 * core itself is touched by the loop thread only).
 *
 * @param leaderId          the leader's ID, or "" when none is known
 * @param leaderAddress     its server RPC address, or "" when none is known
 * @param voters            voters' IDs
 * @param learners          non-voters' IDs
 * @param lastContactMillis time since the leader was last heard from (0 on the leader, -1 never)
 */
record ClusterView(boolean member, RaftRole role, long term, String leaderId, String leaderAddress,
                   List<String> voters, List<String> learners, long commitIndex, long appliedIndex,
                   long lastContactMillis) {
    static final ClusterView NONE = new ClusterView(false, RaftRole.FOLLOWER, 0, "", "", List.of(), List.of(), 0, 0, -1);

    boolean isLeader() {
        return role == RaftRole.LEADER;
    }
}
