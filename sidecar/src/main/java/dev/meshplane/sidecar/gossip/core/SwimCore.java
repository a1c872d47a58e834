package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.MemberTags;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Broadcast;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Dead;
import dev.meshplane.sidecar.gossip.core.GossipMessage.IndirectPing;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Nack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ping;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The SWIM + Lifeguard protocol as a pure, single-threaded state machine. No threads, sockets,
 * clocks or randomness inside: the driver passes core time (milliseconds, never decreasing) to
 * every input, seeds the random generator, calls {@link #tick} at {@link #nextDeadline()}, and
 * after every input sends what {@link #drain()} returns. Not thread-safe: one thread drives it.
 */
public final class SwimCore {
  private final CoreContext ctx;
  private final MembershipRules rules;
  private final ProbeCycle probes;
  private long nextGossipAt;
  private long nextPushPullAt;
  private long nextReapAt;

  /**
   * @param tags this member's tags; rejected with a clear error above {@link MemberTags#MAX_ENCODED_BYTES}
   */
  public SwimCore(GossipConfig config, String name, NodeAddress address, Map<String, String> tags,
      RandomGenerator random, long now) {
    if (name == null || name.isEmpty() || name.length() > WireCodec.MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "member name '" + name + "' must be 1.." + WireCodec.MAX_NAME_CHARS + " characters");
    }
    MemberTable table = new MemberTable(random);
    MemberRecord self = new MemberRecord(name, address, MemberTags.validate(tags), 1, MemberStatus.ALIVE, now);
    table.add(self);
    this.ctx = new CoreContext(config, random, table, self, now);
    this.rules = new MembershipRules(ctx);
    this.probes = new ProbeCycle(ctx, rules);
    this.nextGossipAt = now + random.nextLong(config.gossipInterval().toMillis());
    this.nextPushPullAt = now + random.nextLong(config.pushPullInterval().toMillis());
    this.nextReapAt = now + config.reapInterval().toMillis();
    ctx.events.add(new MemberEvent(Kind.JOINED, self.snapshot(), name));
    ctx.broadcast(selfAlive());
  }

  /** Runs every timer that is due at {@code now}. */
  public void tick(long now) {
    advance(now);
    rules.expireSuspicions();
    probes.tick();
    if (now >= nextGossipAt) {
      nextGossipAt = now + ctx.config.gossipInterval().toMillis();
      gossip();
    }
    if (now >= nextPushPullAt) {
      nextPushPullAt = now + pushPullInterval();
      if (!ctx.leaving) {
        pushPullWithRandomMember();
      }
    }
    if (now >= nextReapAt) {
      nextReapAt = now + ctx.config.reapInterval().toMillis();
      reap();
    }
  }

  /** When {@link #tick} must next be called, in core time. */
  public long nextDeadline() {
    long next = Math.min(nextGossipAt, Math.min(nextPushPullAt, nextReapAt));
    return Math.min(next, Math.min(probes.nextDeadline(), rules.nextDeadline()));
  }

  /** A decoded UDP packet. Broadcasts are applied first so that a reply can carry a refutation. */
  public void onPacket(long now, List<GossipMessage> messages) {
    advance(now);
    for (GossipMessage m : messages) {
      if (m instanceof Broadcast b) {
        apply(b);
      }
    }
    for (GossipMessage m : messages) {
      switch (m) {
        case Ping p -> probes.onPing(p);
        case IndirectPing p -> probes.onIndirectPing(p);
        case Ack a -> probes.onAck(a);
        case Nack n -> probes.onNack(n);
        case Broadcast b -> { }
      }
    }
  }

  /** An inbound push-pull: returns our state (taken before merging theirs), then merges. */
  public PushPull onPushPullRequest(long now, PushPull remote) {
    advance(now);
    PushPull reply = localState(false);
    rules.merge(remote);
    return reply;
  }

  /** The reply to a push-pull (or join) we started. */
  public void onPushPullReply(long now, PushPull remote) {
    advance(now);
    rules.merge(remote);
  }

  /** An inbound TCP fallback probe: the ack to send back, empty if it was meant for another member. */
  public Optional<Ack> onStreamPing(long now, Ping ping) {
    advance(now);
    return Optional.ofNullable(probes.onStreamPing(ping));
  }

  /** The outcome of a {@link StreamRequest.ProbeRequest}. */
  public void onStreamProbeResult(long now, int seq, boolean acked) {
    advance(now);
    probes.onStreamProbeResult(seq, acked);
  }

  /** Asks for a full state exchange with each seed; joined once any reply is merged. */
  public void join(long now, List<NodeAddress> seeds) {
    advance(now);
    for (NodeAddress seed : seeds) {
      if (!seed.equals(ctx.self.address)) {
        ctx.streams.add(new StreamRequest.PushPullRequest(seed, localState(true)));
      }
    }
  }

  /** Broadcasts a leave intent; others will record LEFT (not FAILED). Probing stops. */
  public void leave(long now) {
    advance(now);
    if (ctx.leaving) {
      return;
    }
    ctx.leaving = true;
    Dead intent = new Dead(ctx.self.incarnation, ctx.self.name, ctx.self.name, true);
    rules.onDead(intent);
    // Besides the queued broadcast, tell a few members directly: with a small retransmit
    // limit (LOCAL preset, small clusters) the rumour alone can die out before reaching all.
    int direct = ctx.config.gossipNodes() * ctx.config.retransmitMult();
    for (MemberRecord r : ctx.table.randomMembers(direct, r -> r != ctx.self && r.isLive())) {
      ctx.packets.add(new OutboundPacket(r.address, List.of(intent)));
    }
  }

  /** True once the leave intent has been sent its full retransmit count, or nobody is left to tell. */
  public boolean leaveBroadcastDone() {
    return ctx.leaving && (ctx.table.liveCount() == 0
        || !ctx.queue.isQueued(ctx.self.name, ctx.leaveBroadcastId));
  }

  /** Replaces our tags and announces them with a new incarnation. */
  public void updateTags(long now, Map<String, String> tags) {
    advance(now);
    Map<String, String> valid = MemberTags.validate(tags);
    if (ctx.leaving) {
      throw new IllegalStateException("member " + ctx.self.name + " is leaving; tags can no longer change");
    }
    ctx.self.tags = valid;
    ctx.self.incarnation++;
    ctx.broadcast(selfAlive());
    ctx.events.add(new MemberEvent(Kind.UPDATED, ctx.self.snapshot(), ctx.self.name));
  }

  /** Everything produced since the last drain. */
  public Effects drain() {
    if (ctx.packets.isEmpty() && ctx.streams.isEmpty() && ctx.events.isEmpty()) {
      return Effects.NONE;
    }
    Effects out = new Effects(ctx.packets, ctx.streams, ctx.events);
    ctx.packets.clear();
    ctx.streams.clear();
    ctx.events.clear();
    return out;
  }

  public List<Member> members() {
    List<Member> out = new ArrayList<>(ctx.table.size());
    for (MemberRecord r : ctx.table.all()) {
      out.add(r.snapshot());
    }
    return out;
  }

  public Optional<Member> member(String name) {
    MemberRecord r = ctx.table.get(name);
    return r == null ? Optional.empty() : Optional.of(r.snapshot());
  }

  public Member local() {
    return ctx.self.snapshot();
  }

  public String name() {
    return ctx.self.name;
  }

  public CoreStats stats() {
    return new CoreStats(ctx.probes, ctx.probesFailed, ctx.indirectProbes, ctx.tcpFallbackRescues,
        ctx.suspicionsRaised, ctx.refutations, ctx.declaredDead, ctx.misdirectedPings, ctx.broadcastsDropped,
        ctx.nameConflicts, ctx.awareness.score(), ctx.queue.size(), ctx.table.size(), ctx.table.liveCount());
  }

  private void apply(Broadcast b) {
    switch (b) {
      case Alive a -> rules.onAlive(a);
      case Suspect s -> rules.onSuspect(s);
      case Dead d -> rules.onDead(d);
    }
  }

  private void gossip() {
    long now = ctx.now;
    long deadWindow = ctx.config.gossipToTheDeadTime().toMillis();
    // Recently dead members still hear gossip, so that one declared dead by mistake learns it
    // and refutes.
    List<MemberRecord> targets = ctx.table.randomMembers(ctx.config.gossipNodes(), r -> r != ctx.self
        && (r.isLive() || (r.status == MemberStatus.DEAD && now - r.statusChangedAt <= deadWindow)));
    for (MemberRecord target : targets) {
      if (!ctx.gossipTo(target.address)) {
        return;
      }
    }
  }

  private void pushPullWithRandomMember() {
    List<MemberRecord> peer = ctx.table.randomMembers(1, r -> r != ctx.self && r.status == MemberStatus.ALIVE);
    if (!peer.isEmpty()) {
      ctx.streams.add(new StreamRequest.PushPullRequest(peer.get(0).address, localState(false)));
    }
  }

  /** Larger clusters sync less often: x(ceil(log2 N - log2 32) + 1) above 32 members. */
  private long pushPullInterval() {
    long base = ctx.config.pushPullInterval().toMillis();
    int n = ctx.table.liveCount();
    if (n <= 32) {
      return base;
    }
    double scale = Math.ceil(Math.log(n) / Math.log(2) - 5.0) + 1.0;
    return (long) (base * scale);
  }

  private void reap() {
    long now = ctx.now;
    long reconnect = ctx.config.reconnectTimeout().toMillis();
    long tombstone = ctx.config.tombstoneTimeout().toMillis();
    for (MemberRecord r : List.copyOf(ctx.table.all())) {
      boolean expired = (r.status == MemberStatus.DEAD && now - r.statusChangedAt >= reconnect)
          || (r.status == MemberStatus.LEFT && now - r.statusChangedAt >= tombstone);
      if (expired && r != ctx.self) {
        ctx.table.remove(r);
        rules.forget(r);
        ctx.events.add(new MemberEvent(Kind.REAPED, r.snapshot(), ctx.self.name));
      }
    }
  }

  private PushPull localState(boolean join) {
    List<MemberState> states = new ArrayList<>(ctx.table.size());
    for (MemberRecord r : ctx.table.all()) {
      states.add(r.state());
    }
    return new PushPull(join, states);
  }

  private Alive selfAlive() {
    return new Alive(ctx.self.incarnation, ctx.self.name, ctx.self.address, ctx.self.tags);
  }

  private void advance(long now) {
    if (now > ctx.now) {
      ctx.now = now;
    }
  }
}
