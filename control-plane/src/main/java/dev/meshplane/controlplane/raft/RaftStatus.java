package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.ConfState;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only picture of a Raft core, for operators (list-peers), metrics and tests.
 *
 * @param progress the leader's view of each member by ID (empty unless this server leads)
 */
public record RaftStatus(
        String id,
        long term,
        String vote,
        String leader,
        RaftRole role,
        long commit,
        long applied,
        long lastIndex,
        ConfState membership,
        String leadTransferee,
        Map<String, PeerProgress> progress) {

    /** How far one member's log is known to match, and how appends flow to it. */
    public record PeerProgress(long match, long next, String state, boolean paused, int inflight,
                               boolean recentActive, boolean learner) {}

    public RaftStatus {
        progress = Collections.unmodifiableMap(new TreeMap<>(progress));
    }
}
