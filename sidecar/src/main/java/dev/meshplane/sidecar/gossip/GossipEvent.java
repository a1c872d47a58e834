package dev.meshplane.sidecar.gossip;

/** What the membership layer tells its listeners. */
public sealed interface GossipEvent {

  /** A change in one member's state or tags, as seen by this agent. */
  record MemberEvent(Kind kind, Member member, String reportedBy) implements GossipEvent {}

  /**
   * Two live members claim one name at different addresses. The known entry is kept; the
   * other is reported and ignored, never merged.
   */
  record NameConflict(String name, NodeAddress known, NodeAddress other) implements GossipEvent {}

  enum Kind {
    /** A new member, or a dead/left one that came back. */
    JOINED,
    /** An alive member changed its tags or address. */
    UPDATED,
    /** A member is suspected; it may still refute. */
    SUSPECTED,
    /** A member failed (suspicion timed out here or elsewhere). */
    FAILED,
    /** A member left gracefully. */
    LEFT,
    /** A failed or left member was forgotten after reconnect/tombstone timeout. */
    REAPED
  }
}
