package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.NodeAddress;
import java.util.List;

/** A compound UDP packet to send; its encoding fits the packet budget less the framing reserve. */
public record OutboundPacket(NodeAddress to, List<GossipMessage> messages) {
  public OutboundPacket {
    messages = List.copyOf(messages);
  }
}
