package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.GossipEvent;
import java.util.List;

/** What the core produced since the last drain: packets to send, stream work, events. */
public record Effects(List<OutboundPacket> packets, List<StreamRequest> streams, List<GossipEvent> events) {
  public static final Effects NONE = new Effects(List.of(), List.of(), List.of());

  public Effects {
    packets = List.copyOf(packets);
    streams = List.copyOf(streams);
    events = List.copyOf(events);
  }

  public boolean isEmpty() {
    return packets.isEmpty() && streams.isEmpty() && events.isEmpty();
  }
}
