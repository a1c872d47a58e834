package dev.meshplane.controlplane.raft;

/** What a Raft server currently is. */
public enum RaftRole {
    FOLLOWER,
    /** Asking for pre-votes; has not raised its term. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
