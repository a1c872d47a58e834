package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.Effects;
import dev.meshplane.sidecar.gossip.core.GossipMessage;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.MalformedMessageException;
import dev.meshplane.sidecar.gossip.core.OutboundPacket;
import dev.meshplane.sidecar.gossip.core.PushPull;
import dev.meshplane.sidecar.gossip.core.StreamRequest;
import dev.meshplane.sidecar.gossip.core.SwimCore;
import dev.meshplane.sidecar.gossip.core.WireCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;

/**
 * A deterministic discrete-event simulation of many gossip cores over an in-memory network
 * with loss, delay and slowed members. Everything random comes from the seed, so a run replays
 * exactly. Time is in milliseconds from 0.
 */
public final class SimCluster {
  /** Observes every event every member emits. */
  public interface Observer {
    void onEvent(long time, SimNode observer, GossipEvent event);
  }

  private record Event(long time, long order, Runnable action) {}

  private final long seed;
  private final GossipConfig config;
  private SimNetworkConfig net;
  private final SplittableRandom random;
  private final PriorityQueue<Event> queue = new PriorityQueue<>(
      (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
  private final Map<String, SimNode> byName = new LinkedHashMap<>();
  private final Map<NodeAddress, SimNode> byAddress = new HashMap<>();
  private final List<Observer> observers = new ArrayList<>();
  private BiPredicate<SimNode, SimNode> udpBlocked = (a, b) -> false;
  private BiPredicate<SimNode, SimNode> streamBlocked = (a, b) -> false;
  private long now;
  private long order;
  private long packetsSent;
  private long packetsLost;
  private long eventsRun;
  private int largestPacket;

  public SimCluster(long seed, GossipConfig config, SimNetworkConfig net) {
    this.seed = seed;
    this.config = config;
    this.net = net;
    this.random = new SplittableRandom(seed);
  }

  public SimNode add(String name) {
    return add(name, addressFor(byName.size()), Map.of());
  }

  /** Adds a member (not yet joined) whose core is seeded from the cluster seed and its index. */
  public SimNode add(String name, NodeAddress address, Map<String, String> tags) {
    return addProcess(name, name, address, tags);
  }

  /**
   * Adds a process known to the simulation as {@code key} that calls itself {@code memberName}:
   * two keys with one member name make a name conflict.
   */
  public SimNode addProcess(String key, String memberName, NodeAddress address, Map<String, String> tags) {
    long nodeSeed = seed * 1_000_003L + byName.size() * 7_919L + key.hashCode();
    SwimCore core = new SwimCore(config, memberName, address, tags, new SplittableRandom(nodeSeed), now);
    SimNode node = new SimNode(key, address, core);
    if (byAddress.containsKey(address) && byAddress.get(address).running) {
      throw new IllegalStateException("address " + address + " is in use by a running member");
    }
    byName.put(key, node);
    byAddress.put(address, node);
    afterInput(node);
    return node;
  }

  /** Replaces a stopped member with a new process under the same name (fresh core, incarnation 1). */
  public SimNode restart(String name, NodeAddress address) {
    SimNode old = byName.remove(name);
    if (old != null && old.running) {
      throw new IllegalStateException(name + " is still running");
    }
    if (old != null) {
      byAddress.remove(old.address, old);
    }
    return add(name, address, Map.of());
  }

  public static NodeAddress addressFor(int index) {
    return new NodeAddress("10." + (index >> 16 & 255) + "." + (index >> 8 & 255) + "." + (index & 255), 8301);
  }

  public void join(SimNode node, SimNode... seeds) {
    List<NodeAddress> addresses = new ArrayList<>();
    for (SimNode s : seeds) {
      addresses.add(s.address);
    }
    node.core.join(now, addresses);
    afterInput(node);
  }

  /** Stops a member abruptly: it processes and answers nothing from now on. */
  public void kill(SimNode node) {
    node.running = false;
  }

  public void leave(SimNode node) {
    node.core.leave(now);
    afterInput(node);
  }

  public void updateTags(SimNode node, Map<String, String> tags) {
    node.core.updateTags(now, tags);
    afterInput(node);
  }

  public void setNetwork(SimNetworkConfig net) {
    this.net = net;
  }

  public void blockUdp(BiPredicate<SimNode, SimNode> blocked) {
    this.udpBlocked = blocked;
  }

  public void blockStreams(BiPredicate<SimNode, SimNode> blocked) {
    this.streamBlocked = blocked;
  }

  public void observe(Observer observer) {
    observers.add(observer);
  }

  public void stopObserving(Observer observer) {
    observers.remove(observer);
  }

  public void runFor(long millis) {
    runUntil(now + millis);
  }

  public void runUntil(long time) {
    while (!queue.isEmpty() && queue.peek().time <= time) {
      Event e = queue.poll();
      now = e.time;
      eventsRun++;
      e.action.run();
    }
    now = Math.max(now, time);
  }

  /** Runs until {@code done} holds (checked after every event) or {@code limit} passes; true if it held. */
  public boolean runUntil(java.util.function.BooleanSupplier done, long limit) {
    while (!done.getAsBoolean()) {
      if (queue.isEmpty() || queue.peek().time > limit) {
        now = Math.max(now, limit);
        return done.getAsBoolean();
      }
      Event e = queue.poll();
      now = e.time;
      eventsRun++;
      e.action.run();
    }
    return true;
  }

  public long now() {
    return now;
  }

  public long seed() {
    return seed;
  }

  public SimNode node(String name) {
    return byName.get(name);
  }

  public List<SimNode> nodes() {
    return List.copyOf(byName.values());
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long packetsLost() {
    return packetsLost;
  }

  /** The largest encoded packet seen (only with encodeOnWire). */
  public int largestPacket() {
    return largestPacket;
  }

  public long eventsRun() {
    return eventsRun;
  }

  /** Uniform [0, bound) from the network's random stream. */
  public long randomLong(long bound) {
    return random.nextLong(bound);
  }

  private void at(long time, Runnable action) {
    queue.add(new Event(time, order++, action));
  }

  private long oneWayDelay() {
    return net.minDelayMillis() + (net.maxDelayMillis() > net.minDelayMillis()
        ? random.nextLong(net.maxDelayMillis() - net.minDelayMillis() + 1) : 0);
  }

  /** When a message arriving now at {@code node} is actually processed. */
  private long processingTime(SimNode node, long arrival) {
    if (node.slow && net.slowDelayMaxMillis() > 0) {
      return arrival + random.nextLong(net.slowDelayMaxMillis() + 1);
    }
    return arrival;
  }

  private void afterInput(SimNode node) {
    Effects effects = node.core.drain();
    if (!effects.isEmpty()) {
      for (GossipEvent event : effects.events()) {
        for (Observer o : observers) {
          o.onEvent(now, node, event);
        }
      }
      for (OutboundPacket p : effects.packets()) {
        sendPacket(node, p);
      }
      for (StreamRequest s : effects.streams()) {
        startStream(node, s);
      }
    }
    scheduleTick(node);
  }

  private void scheduleTick(SimNode node) {
    long deadline = Math.max(node.core.nextDeadline(), now);
    if (deadline < node.tickAt) {
      node.tickAt = deadline;
      at(deadline, () -> {
        if (!node.running || node.tickAt != deadline) {
          return;
        }
        node.tickAt = Long.MAX_VALUE;
        node.core.tick(now);
        afterInput(node);
      });
    }
  }

  private void sendPacket(SimNode from, OutboundPacket packet) {
    packetsSent++;
    SimNode to = byAddress.get(packet.to());
    if (to == null || random.nextDouble() < net.lossRate() || udpBlocked.test(from, to)) {
      packetsLost++;
      return;
    }
    List<GossipMessage> messages = net.encodeOnWire() ? roundTrip(packet.messages()) : packet.messages();
    long arrival = now + oneWayDelay();
    at(processingTime(to, arrival), () -> {
      if (to.running) {
        to.core.onPacket(now, messages);
        afterInput(to);
      }
    });
  }

  private List<GossipMessage> roundTrip(List<GossipMessage> messages) {
    try {
      byte[] encoded = WireCodec.encodePacket(messages);
      largestPacket = Math.max(largestPacket, encoded.length);
      return WireCodec.decodePacket(encoded);
    } catch (MalformedMessageException e) {
      throw new AssertionError("codec failed to round-trip its own packet", e);
    }
  }

  private void startStream(SimNode from, StreamRequest request) {
    SimNode to = byAddress.get(request.to());
    boolean reachable = to != null && !streamBlocked.test(from, to);
    switch (request) {
      case StreamRequest.PushPullRequest r -> {
        if (!reachable) {
          return;
        }
        at(processingTime(to, now + oneWayDelay()), () -> {
          if (!to.running) {
            return;
          }
          PushPull reply = to.core.onPushPullRequest(now, r.state());
          afterInput(to);
          at(processingTime(from, now + oneWayDelay()), () -> {
            if (from.running) {
              from.core.onPushPullReply(now, reply);
              afterInput(from);
            }
          });
        });
      }
      case StreamRequest.ProbeRequest r -> {
        if (!reachable) {
          return;
        }
        at(processingTime(to, now + oneWayDelay()), () -> {
          if (!to.running) {
            return;
          }
          Optional<Ack> ack = to.core.onStreamPing(now, r.ping());
          afterInput(to);
          long back = processingTime(from, now + oneWayDelay());
          if (ack.isPresent() && back <= r.deadlineMillis()) {
            at(back, () -> {
              if (from.running) {
                from.core.onStreamProbeResult(now, r.ping().seq(), true);
                afterInput(from);
              }
            });
          }
        });
      }
    }
  }
}
