package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import java.util.Map;

/** One member in a full state exchange. */
public record MemberState(
    String name, NodeAddress address, Map<String, String> tags, long incarnation, MemberStatus status) {
  public MemberState {
    tags = Map.copyOf(tags);
  }
}
