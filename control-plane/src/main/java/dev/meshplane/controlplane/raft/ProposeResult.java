package dev.meshplane.controlplane.raft;

/**
 * What became of a proposal. An accepted proposal is not yet committed: the driver learns its
 * fate when an entry at {@code index} is applied: if that entry's term is {@code term} it is this
 * proposal, otherwise the proposal was lost to a change of leader and must be retried.
 */
public sealed interface ProposeResult {
    record Accepted(long index, long term) implements ProposeResult {}

    /** Not appended. {@code leaderHint} is the known leader's ID or "". */
    record Rejected(Reason reason, String leaderHint, String detail) implements ProposeResult {}

    enum Reason {
        /** Only the leader appends; forward to {@code leaderHint} if there is one. */
        NOT_LEADER,
        /** The leader is handing over leadership; retry shortly. */
        TRANSFERRING_LEADERSHIP,
        /** Too many bytes appended but not yet applied; retry after back-off. */
        TOO_MANY_UNCOMMITTED_BYTES,
        /** A membership change is already in flight; retry once it has been applied. */
        CONF_CHANGE_PENDING,
        /** The membership change makes no sense for the current membership. */
        INVALID_CONF_CHANGE
    }

    default boolean accepted() {
        return this instanceof Accepted;
    }
}
