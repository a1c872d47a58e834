package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Drives one core by hand: explicit time, explicit inputs, everything it emits collected. */
final class CoreTestSupport {
  final SwimCore core;
  long now;
  private int learned;
  final List<OutboundPacket> packets = new ArrayList<>();
  final List<StreamRequest> streams = new ArrayList<>();
  final List<GossipEvent> events = new ArrayList<>();

  CoreTestSupport(GossipConfig config, String name, int hostIndex) {
    this.core = new SwimCore(config, name, address(hostIndex), Map.of("role", "client"), new SplittableRandom(42), 0);
    collect();
  }

  static NodeAddress address(int index) {
    return new NodeAddress("10.0.0." + index, 8301);
  }

  /** Teaches the core about members through a push-pull reply, as a join does. */
  void learn(String... names) {
    List<MemberState> states = new ArrayList<>();
    for (String name : names) {
      states.add(new MemberState(name, address(100 + learned++), Map.of(), 1, MemberStatus.ALIVE));
    }
    core.onPushPullReply(now, new PushPull(false, states));
    collect();
  }

  void receive(GossipMessage... messages) {
    core.onPacket(now, List.of(messages));
    collect();
  }

  /** Members (by address) whose pings are answered at once, as live peers would. */
  final java.util.Set<NodeAddress> responding = new java.util.HashSet<>();

  /** Ticks at every deadline up to {@code time}. */
  void runUntil(long time) {
    while (core.nextDeadline() <= time) {
      now = Math.max(now, core.nextDeadline());
      core.tick(now);
      collect();
    }
    now = Math.max(now, time);
  }

  /** Jumps the clock to {@code time} with a single tick (timers fire once, as after a pause). */
  void jumpTo(long time) {
    now = Math.max(now, time);
    core.tick(now);
    collect();
  }

  void collect() {
    Effects e = core.drain();
    packets.addAll(e.packets());
    streams.addAll(e.streams());
    events.addAll(e.events());
    for (OutboundPacket p : e.packets()) {
      if (responding.contains(p.to()) && p.messages().get(0) instanceof GossipMessage.Ping ping) {
        receive(new GossipMessage.Ack(ping.seq()));
      }
    }
  }

  void clear() {
    packets.clear();
    streams.clear();
    events.clear();
  }

  <T extends GossipMessage> List<T> sent(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (OutboundPacket p : packets) {
      for (GossipMessage m : p.messages()) {
        if (type.isInstance(m)) {
          out.add(type.cast(m));
        }
      }
    }
    return out;
  }

  List<OutboundPacket> packetsTo(NodeAddress to) {
    return packets.stream().filter(p -> p.to().equals(to)).toList();
  }

  MemberStatus status(String name) {
    return core.member(name).orElseThrow().status();
  }
}
