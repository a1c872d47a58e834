package dev.meshplane.controlplane.raft;

/**
 * The leader's view of one peer's log: {@code match} is the highest index known to be replicated
 * there, {@code next} the next index to send. The state decides how appends flow:
 * <ul>
 *   <li>PROBE: one append at a time until the follower's log position is found;</li>
 *   <li>REPLICATE: optimistic pipelining, up to the inflight limit;</li>
 *   <li>SNAPSHOT: a snapshot is being sent; nothing else until it is reported done.</li>
 * </ul>
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    long match;
    long next;
    State state = State.PROBE;
    /** Index of the snapshot being sent, in SNAPSHOT state. */
    long pendingSnapshot;
    /** Heard from since the last check-quorum period. */
    boolean recentActive;
    /** In PROBE: a probe is outstanding, send nothing more until a response or heartbeat ack. */
    boolean probeSent;
    /** Highest leader tick this peer echoed (the leader lease counts from these). */
    long ackedLeaderTick = -1;
    boolean learner;
    final Inflights inflights;

    Progress(long next, int maxInflight, boolean learner) {
        this.next = next;
        this.inflights = new Inflights(maxInflight);
        this.learner = learner;
    }

    private void resetState(State newState) {
        state = newState;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    void becomeProbe() {
        long afterSnapshot = state == State.SNAPSHOT ? pendingSnapshot + 1 : 0;
        resetState(State.PROBE);
        next = Math.max(match + 1, afterSnapshot);
    }

    void becomeReplicate() {
        resetState(State.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        resetState(State.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** A success response acknowledged {@code index}; returns whether match moved. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /** After sending entries up to {@code lastIndex} in REPLICATE: assume they will land. */
    void optimisticUpdate(long lastIndex) {
        next = lastIndex + 1;
    }

    /**
     * A rejection of the append after {@code rejected}; {@code probeHint} is where the follower's
     * log may match. Returns false when the rejection is stale (answers an older message).
     */
    boolean maybeDecreaseTo(long rejected, long probeHint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, probeHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next
                + (state == State.SNAPSHOT ? " snapshot=" + pendingSnapshot : "")
                + (isPaused() ? " paused" : "")
                + (inflights.count() > 0 ? " inflight=" + inflights.count() : "")
                + (learner ? " learner" : "");
    }
}
