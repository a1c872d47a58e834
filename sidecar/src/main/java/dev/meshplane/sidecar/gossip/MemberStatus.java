package dev.meshplane.sidecar.gossip;

/** A member's state as one agent sees it. */
public enum MemberStatus {
  /** Answering probes, or refuted the last suspicion. */
  ALIVE,
  /** A probe failed; the member has until its suspicion timeout to refute. */
  SUSPECT,
  /** The suspicion timed out without a refutation: the member failed. */
  DEAD,
  /** The member announced a graceful leave. */
  LEFT;

  public boolean isDeadOrLeft() {
    return this == DEAD || this == LEFT;
  }
}
