package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.NodeAddress;
import java.util.Map;

/** The messages carried in UDP packets, as the protocol core sees them. */
public sealed interface GossipMessage {

  /** Probe {@code target}; reply to {@code sourceAddress}. */
  record Ping(int seq, String target, String source, NodeAddress sourceAddress) implements GossipMessage {}

  /** Probe {@code target} for {@code source} and relay the ack; nack if it stays silent. */
  record IndirectPing(
      int seq, String target, NodeAddress targetAddress, boolean nack, String source, NodeAddress sourceAddress)
      implements GossipMessage {}

  record Ack(int seq) implements GossipMessage {}

  /** Sent by an indirect prober whose target stayed silent (Lifeguard). */
  record Nack(int seq) implements GossipMessage {}

  /** A state change about one member: disseminated by gossip, piggybacked on probes. */
  sealed interface Broadcast extends GossipMessage {
    String name();

    long incarnation();
  }

  record Alive(long incarnation, String name, NodeAddress address, Map<String, String> tags) implements Broadcast {
    public Alive {
      tags = Map.copyOf(tags);
    }
  }

  record Suspect(long incarnation, String name, String from) implements Broadcast {}

  /** {@code left} only counts when a member says it of itself ({@code from == name}). */
  record Dead(long incarnation, String name, String from, boolean left) implements Broadcast {
    public boolean isLeaveIntent() {
      return left && name.equals(from);
    }
  }
}
