package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Broadcast;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** State shared by the parts of one core: the member table, the broadcast queue, the outbox. */
final class CoreContext {
  /**
   * Bytes kept free in every packet for the transport's framing: the format/version byte, the
   * 12-byte GCM nonce and the 16-byte tag. Reserved even when sending plaintext, so that
   * switching encryption on never makes a packet overflow the budget.
   */
  static final int FRAMING_RESERVE = 1 + 12 + 16;

  final GossipConfig config;
  final RandomGenerator random;
  final MemberTable table;
  final MemberRecord self;
  final BroadcastQueue queue = new BroadcastQueue();
  final Awareness awareness;
  final List<OutboundPacket> packets = new ArrayList<>();
  final List<StreamRequest> streams = new ArrayList<>();
  final List<GossipEvent> events = new ArrayList<>();
  long now;
  boolean leaving;
  long leaveBroadcastId = -1;

  long probes;
  long probesFailed;
  long indirectProbes;
  long tcpFallbackRescues;
  long suspicionsRaised;
  long refutations;
  long declaredDead;
  long misdirectedPings;
  long broadcastsDropped;
  long nameConflicts;

  CoreContext(GossipConfig config, RandomGenerator random, MemberTable table, MemberRecord self, long now) {
    this.config = config;
    this.random = random;
    this.table = table;
    this.self = self;
    this.awareness = new Awareness(config.lifeguard() ? config.awarenessMaxMultiplier() : 1);
    this.now = now;
  }

  /** Queues a broadcast, keeping the queue within max(minQueueDepth, 2N). */
  long broadcast(Broadcast message) {
    long id = queue.enqueue(message);
    broadcastsDropped += queue.prune(Math.max(config.minQueueDepth(), 2 * table.liveCount()));
    return id;
  }

  /** Sends {@code primary} with as many pending broadcasts piggybacked as fit the budget. */
  void send(dev.meshplane.sidecar.gossip.NodeAddress to, GossipMessage... primary) {
    List<GossipMessage> messages = new ArrayList<>(List.of(primary));
    int used = 0;
    for (GossipMessage m : primary) {
      used += WireCodec.sizeInPacket(m);
    }
    messages.addAll(queue.take(packetBytes() - used, transmitLimit()));
    packets.add(new OutboundPacket(to, messages));
  }

  /** Sends only pending broadcasts; false if there were none. */
  boolean gossipTo(dev.meshplane.sidecar.gossip.NodeAddress to) {
    List<GossipMessage> messages = queue.take(packetBytes(), transmitLimit());
    if (messages.isEmpty()) {
      return false;
    }
    packets.add(new OutboundPacket(to, messages));
    return true;
  }

  int packetBytes() {
    return config.packetBudget() - FRAMING_RESERVE;
  }

  /** RetransmitMult x ceil(log10(N + 1)). */
  int transmitLimit() {
    return config.retransmitMult() * (int) Math.ceil(Math.log10(table.liveCount() + 1.0));
  }

  long probeIntervalMillis() {
    return config.probeInterval().toMillis();
  }
}
