package dev.meshplane.controlplane.raft;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The membership with the leader's per-peer {@link Progress} and a candidate's votes, plus the
 * quorum arithmetic over them (commit index, quorum activity, election tally, lease age).
 */
final class ProgressTracker {
    enum VoteResult { PENDING, WON, LOST }

    private final String self;
    private final int maxInflight;
    private Membership membership;
    private final NavigableMap<String, Progress> progress = new TreeMap<>();
    private final Map<String, Boolean> votes = new TreeMap<>();

    ProgressTracker(String self, Membership membership, int maxInflight) {
        this.self = self;
        this.maxInflight = maxInflight;
        this.membership = membership;
        resetAll(0);
    }

    Membership membership() {
        return membership;
    }

    /** Switches to {@code next}, keeping the progress of members who stay. */
    void setMembership(Membership next, long lastIndex) {
        progress.keySet().removeIf(id -> !next.contains(id));
        votes.keySet().removeIf(id -> !next.isVoter(id));
        for (String id : next.voters()) {
            addIfAbsent(id, lastIndex, false);
        }
        for (String id : next.learners()) {
            addIfAbsent(id, lastIndex, true);
        }
        membership = next;
    }

    private void addIfAbsent(String id, long lastIndex, boolean learner) {
        Progress p = progress.get(id);
        if (p == null) {
            p = new Progress(lastIndex + 1, maxInflight, learner);
            // A new member gets the benefit of the doubt, so that it may be sent a snapshot at once.
            p.recentActive = true;
            progress.put(id, p);
        }
        p.learner = learner;
    }

    /** Forgets everything learned about peers (a new term): match 0, next after the last index. */
    void resetAll(long lastIndex) {
        progress.clear();
        for (String id : membership.voters()) {
            progress.put(id, new Progress(lastIndex + 1, maxInflight, false));
        }
        for (String id : membership.learners()) {
            progress.put(id, new Progress(lastIndex + 1, maxInflight, true));
        }
        Progress mine = progress.get(self);
        if (mine != null) {
            mine.recentActive = true;
        }
    }

    Progress get(String id) {
        return progress.get(id);
    }

    NavigableMap<String, Progress> all() {
        return progress;
    }

    /** The highest index replicated on a quorum of voters. */
    long committedIndex() {
        long[] matches = new long[membership.voters().size()];
        int i = 0;
        for (String id : membership.voters()) {
            Progress p = progress.get(id);
            matches[i++] = p == null ? 0 : p.match;
        }
        if (matches.length == 0) {
            return 0;
        }
        Arrays.sort(matches);
        return matches[matches.length - membership.quorum()];
    }

    /** Highest leader tick a quorum of voters has echoed; {@code now} stands for the leader. */
    long quorumAckedTick(long now) {
        long[] ticks = new long[membership.voters().size()];
        int i = 0;
        for (String id : membership.voters()) {
            Progress p = progress.get(id);
            ticks[i++] = id.equals(self) ? now : (p == null ? -1 : p.ackedLeaderTick);
        }
        if (ticks.length == 0) {
            return -1;
        }
        Arrays.sort(ticks);
        return ticks[ticks.length - membership.quorum()];
    }

    /** Whether a quorum of voters (counting this server) was heard from since the last reset. */
    boolean quorumActive() {
        int active = 0;
        for (String id : membership.voters()) {
            Progress p = progress.get(id);
            if (id.equals(self) || (p != null && p.recentActive)) {
                active++;
            }
        }
        return active >= membership.quorum();
    }

    void clearRecentActive() {
        progress.forEach((id, p) -> p.recentActive = id.equals(self));
    }

    boolean isQuorum(Collection<String> ids) {
        int n = 0;
        for (String id : ids) {
            if (membership.isVoter(id)) {
                n++;
            }
        }
        return n >= membership.quorum();
    }

    void resetVotes() {
        votes.clear();
    }

    /** Records a voter's answer; only the first answer of each voter counts. */
    void recordVote(String id, boolean granted) {
        if (membership.isVoter(id)) {
            votes.putIfAbsent(id, granted);
        }
    }

    VoteResult tally() {
        int granted = 0;
        int rejected = 0;
        for (boolean g : votes.values()) {
            if (g) {
                granted++;
            } else {
                rejected++;
            }
        }
        int quorum = membership.quorum();
        if (granted >= quorum) {
            return VoteResult.WON;
        }
        if (rejected > membership.voters().size() - quorum) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
