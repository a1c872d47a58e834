package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.proto.internal.v1.GossipAck;
import dev.meshplane.proto.internal.v1.GossipStreamRequest;
import dev.meshplane.proto.internal.v1.GossipStreamResponse;
import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.Effects;
import dev.meshplane.sidecar.gossip.core.MalformedMessageException;
import dev.meshplane.sidecar.gossip.core.OutboundPacket;
import dev.meshplane.sidecar.gossip.core.StreamRequest;
import dev.meshplane.sidecar.gossip.core.SwimCore;
import dev.meshplane.sidecar.gossip.core.WireCodec;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.RejectedPacketException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives one {@link SwimCore} from a single Netty event loop with the real clock: feeds it
 * packets, stream requests and ticks, and carries out what it asks (UDP sends, TCP exchanges).
 * Every method prefixed {@code loop} must run on the event loop; {@link GossipEndpoint} makes
 * sure of it.
 */
final class GossipDriver {
  /** Serves one inbound stream request. */
  interface StreamHandler {
    GossipStreamResponse handle(GossipStreamRequest request) throws MalformedMessageException;
  }

  private static final Logger LOG = Logger.getLogger(GossipDriver.class.getName());

  private final GossipConfig config;
  private final PacketSecurity security;
  private final EventLoop loop;
  private final SwimCore core;
  private final StreamClient client;
  private final TransportStats stats;
  private final Consumer<List<GossipEvent>> events;
  private final long startNanos = System.nanoTime();
  private final Map<NodeAddress, List<CompletableFuture<JoinOutcome>>> joins = new HashMap<>();
  private final List<CompletableFuture<Void>> leaveWaiters = new ArrayList<>();
  private Channel udp;
  private ScheduledFuture<?> tick;
  private long tickAt = Long.MAX_VALUE;
  private boolean stopped;

  GossipDriver(GossipConfig config, PacketSecurity security, EventLoop loop, SwimCore core, TransportStats stats,
      Consumer<List<GossipEvent>> events) {
    this.config = config;
    this.security = security;
    this.loop = loop;
    this.core = core;
    this.stats = stats;
    this.events = events;
    this.client = new StreamClient(loop, security, config.maxStreamBytes(), stats);
  }

  /** Core time: milliseconds since this driver started. */
  long now() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  SwimCore core() {
    return core;
  }

  EventLoop loop() {
    return loop;
  }

  void loopStart(Channel udpChannel) {
    this.udp = udpChannel;
    loopFlush();
  }

  void loopStop() {
    stopped = true;
    if (tick != null) {
      tick.cancel(false);
    }
  }

  void loopOnDatagram(byte[] data) {
    if (stopped) {
      return;
    }
    stats.packetsReceived.incrementAndGet();
    stats.bytesReceived.addAndGet(data.length);
    try {
      core.onPacket(now(), WireCodec.decodePacket(security.unwrap(data)));
    } catch (RejectedPacketException e) {
      stats.drop(e.rejection());
      LOG.fine(() -> "dropped a gossip packet: " + e.getMessage());
      return;
    } catch (MalformedMessageException e) {
      stats.malformed.incrementAndGet();
      LOG.fine(() -> "dropped a malformed gossip packet: " + e.getMessage());
      return;
    }
    loopFlush();
  }

  GossipStreamResponse loopOnStream(GossipStreamRequest request) throws MalformedMessageException {
    GossipStreamResponse.Builder response = GossipStreamResponse.newBuilder();
    switch (request.getKindCase()) {
      case PUSH_PULL -> response.setPushPull(WireCodec.pushPull(
          core.onPushPullRequest(now(), WireCodec.pushPull(request.getPushPull()))));
      case PING -> core.onStreamPing(now(), WireCodec.ping(request.getPing())).ifPresentOrElse(
          ack -> response.setAck(GossipAck.newBuilder().setSeq(ack.seq())),
          () -> response.setError("this member is " + core.name() + ", not " + request.getPing().getTarget()));
      case KIND_NOT_SET -> throw new MalformedMessageException("stream request has no kind (unknown or empty)");
    }
    loopFlush();
    return response.build();
  }

  List<CompletableFuture<JoinOutcome>> loopJoin(List<NodeAddress> seeds) {
    List<CompletableFuture<JoinOutcome>> outcomes = new ArrayList<>();
    List<NodeAddress> contacted = new ArrayList<>();
    for (NodeAddress seed : seeds) {
      CompletableFuture<JoinOutcome> outcome = new CompletableFuture<>();
      outcomes.add(outcome);
      if (seed.equals(core.local().address())) {
        outcome.complete(new JoinOutcome(seed, "that is this member's own address"));
      } else {
        joins.computeIfAbsent(seed, s -> new ArrayList<>()).add(outcome);
        contacted.add(seed);
      }
    }
    core.join(now(), contacted);
    loopFlush();
    return outcomes;
  }

  CompletableFuture<Void> loopLeave() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    leaveWaiters.add(done);
    core.leave(now());
    loopFlush();
    return done;
  }

  /** Carries out everything the core produced, then sets the next tick. */
  void loopFlush() {
    if (stopped) {
      return;
    }
    Effects effects = core.drain();
    for (OutboundPacket p : effects.packets()) {
      send(p);
    }
    if (!effects.packets().isEmpty() && udp != null) {
      udp.flush();
    }
    for (StreamRequest s : effects.streams()) {
      stream(s);
    }
    if (!effects.events().isEmpty()) {
      events.accept(effects.events());
    }
    if (!leaveWaiters.isEmpty() && core.leaveBroadcastDone()) {
      leaveWaiters.forEach(w -> w.complete(null));
      leaveWaiters.clear();
    }
    reschedule();
  }

  private void reschedule() {
    long next = core.nextDeadline();
    if (tick != null && tickAt <= next) {
      return;
    }
    if (tick != null) {
      tick.cancel(false);
    }
    tickAt = next;
    tick = loop.schedule(this::onTick, Math.max(0, next - now()), TimeUnit.MILLISECONDS);
  }

  private void onTick() {
    tick = null;
    tickAt = Long.MAX_VALUE;
    if (stopped) {
      return;
    }
    try {
      core.tick(now());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "gossip core failed in tick", e);
    }
    loopFlush();
  }

  private void send(OutboundPacket p) {
    if (udp == null) {
      return;
    }
    byte[] bytes = security.wrap(WireCodec.encodePacket(p.messages()));
    stats.packetsSent.incrementAndGet();
    stats.bytesSent.addAndGet(bytes.length);
    InetSocketAddress to = new InetSocketAddress(p.to().host(), p.to().port());
    udp.write(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to)).addListener(f -> {
      if (!f.isSuccess()) {
        stats.sendFailures.incrementAndGet();
      }
    });
  }

  private void stream(StreamRequest s) {
    switch (s) {
      case StreamRequest.PushPullRequest r -> {
        GossipStreamRequest request = GossipStreamRequest.newBuilder().setPushPull(WireCodec.pushPull(r.state())).build();
        client.exchange(r.to(), request, config.tcpTimeout().toMillis()).whenComplete((response, error) -> {
          String problem = error != null ? describe(error)
              : response.hasPushPull() ? null : "refused: " + response.getError();
          if (problem == null) {
            try {
              core.onPushPullReply(now(), WireCodec.pushPull(response.getPushPull()));
            } catch (MalformedMessageException e) {
              stats.malformed.incrementAndGet();
              problem = e.getMessage();
            }
          }
          String outcome = problem;
          if (outcome != null) {
            LOG.fine(() -> "push-pull with " + r.to() + " failed: " + outcome);
          }
          if (r.state().join()) {
            for (CompletableFuture<JoinOutcome> waiter : joins.getOrDefault(r.to(), List.of())) {
              waiter.complete(new JoinOutcome(r.to(), outcome));
            }
            joins.remove(r.to());
          }
          loopFlush();
        });
      }
      case StreamRequest.ProbeRequest r -> {
        GossipStreamRequest request = GossipStreamRequest.newBuilder().setPing(WireCodec.ping(r.ping())).build();
        client.exchange(r.to(), request, r.deadlineMillis() - now()).whenComplete((response, error) -> {
          boolean acked = error == null && response.hasAck() && response.getAck().getSeq() == r.ping().seq();
          core.onStreamProbeResult(now(), r.ping().seq(), acked);
          loopFlush();
        });
      }
    }
  }

  private static String describe(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
