package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import java.util.Map;

/** The local view of one member; mutated only by the core's thread. */
final class MemberRecord {
  final String name;
  NodeAddress address;
  Map<String, String> tags;
  long incarnation;
  MemberStatus status;
  /** Core time of the last status change: drives gossip-to-the-dead and reaping. */
  long statusChangedAt;
  /** The running suspicion timer while {@link #status} is SUSPECT, else null. */
  Suspicion suspicion;

  MemberRecord(String name, NodeAddress address, Map<String, String> tags, long incarnation,
      MemberStatus status, long now) {
    this.name = name;
    this.address = address;
    this.tags = Map.copyOf(tags);
    this.incarnation = incarnation;
    this.status = status;
    this.statusChangedAt = now;
  }

  boolean isLive() {
    return status == MemberStatus.ALIVE || status == MemberStatus.SUSPECT;
  }

  Member snapshot() {
    return new Member(name, address, tags, status, incarnation);
  }

  MemberState state() {
    return new MemberState(name, address, tags, incarnation, status);
  }

  @Override
  public String toString() {
    return name + "@" + address + "/" + status + "#" + incarnation;
  }
}
