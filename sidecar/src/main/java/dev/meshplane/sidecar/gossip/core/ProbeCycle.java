package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.IndirectPing;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Nack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ping;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * SWIM failure detection: one probe per (health-scaled) interval, round-robin over a shuffled
 * order. A direct ping; after the probe timeout, indirect pings through k alive members (with
 * nacks) and a TCP ping in parallel; with no ack by the end of the interval, the target is
 * suspected. Also relays the indirect pings others ask of us.
 */
final class ProbeCycle {
  private static final Logger LOG = Logger.getLogger(ProbeCycle.class.getName());

  private static final class Probe {
    final int seq;
    final MemberRecord target;
    final long ackTimeoutAt;
    final long deadline;
    boolean indirectSent;
    int expectedNacks;
    int nacks;

    Probe(int seq, MemberRecord target, long ackTimeoutAt, long deadline) {
      this.seq = seq;
      this.target = target;
      this.ackTimeoutAt = ackTimeoutAt;
      this.deadline = deadline;
    }
  }

  /** An indirect ping we sent for {@code requester}; nack it if no ack by {@code expiresAt}. */
  private record Relay(NodeAddress requester, int requesterSeq, boolean nack, long expiresAt) {}

  private final CoreContext ctx;
  private final MembershipRules rules;
  private final Map<Integer, Relay> relays = new LinkedHashMap<>();
  private long nextProbeAt;
  private Probe current;
  private int seq;
  private long nextUdpWarningAt;

  ProbeCycle(CoreContext ctx, MembershipRules rules) {
    this.ctx = ctx;
    this.rules = rules;
    // Start at a random phase so that agents started together do not probe in lockstep.
    this.nextProbeAt = ctx.now + ctx.random.nextLong(ctx.probeIntervalMillis());
  }

  void tick() {
    long now = ctx.now;
    expireRelays(now);
    if (current != null && !current.indirectSent && now >= current.ackTimeoutAt) {
      probeIndirectly(current);
    }
    if (current != null && now >= current.deadline) {
      fail(current);
    }
    if (current == null && !ctx.leaving && now >= nextProbeAt) {
      probeNext(now);
    }
  }

  long nextDeadline() {
    long next = ctx.leaving ? Long.MAX_VALUE : nextProbeAt;
    if (current != null) {
      next = Math.min(next, current.indirectSent ? current.deadline : current.ackTimeoutAt);
    }
    for (Relay r : relays.values()) {
      next = Math.min(next, r.expiresAt);
    }
    return next;
  }

  void onPing(Ping p) {
    if (!p.target().equals(ctx.self.name)) {
      // A member restarted under another name at this address: the prober must not count it.
      ctx.misdirectedPings++;
      return;
    }
    ctx.send(p.sourceAddress(), new Ack(p.seq()));
  }

  /** The TCP fallback probe: an ack if the ping is for us, else null. */
  Ack onStreamPing(Ping p) {
    if (!p.target().equals(ctx.self.name)) {
      ctx.misdirectedPings++;
      return null;
    }
    return new Ack(p.seq());
  }

  void onIndirectPing(IndirectPing p) {
    int localSeq = nextSeq();
    relays.put(localSeq, new Relay(p.sourceAddress(), p.seq(), p.nack(),
        ctx.now + ctx.config.probeTimeout().toMillis()));
    ctx.send(p.targetAddress(), new Ping(localSeq, p.target(), ctx.self.name, ctx.self.address));
  }

  void onAck(Ack a) {
    if (current != null && current.seq == a.seq()) {
      succeed();
      return;
    }
    Relay relay = relays.remove(a.seq());
    if (relay != null) {
      ctx.send(relay.requester, new Ack(relay.requesterSeq));
    }
  }

  void onNack(Nack n) {
    if (current != null && current.seq == n.seq()) {
      current.nacks++;
    }
  }

  void onStreamProbeResult(int probeSeq, boolean acked) {
    if (acked && current != null && current.seq == probeSeq) {
      ctx.tcpFallbackRescues++;
      if (ctx.now >= nextUdpWarningAt) {
        // Once a minute at most: on a network that drops UDP this would otherwise log every probe.
        nextUdpWarningAt = ctx.now + 60_000;
        String target = current.target.name;
        long rescues = ctx.tcpFallbackRescues;
        LOG.warning(() -> "reached " + target + " over TCP but not over UDP (" + rescues
            + " such probes so far): the network may be dropping UDP between us");
      }
      succeed();
    }
  }

  private void probeNext(long now) {
    MemberRecord target = ctx.table.nextProbeTarget(ctx.self);
    long interval = ctx.awareness.scale(ctx.probeIntervalMillis());
    nextProbeAt = now + interval;
    if (target == null) {
      return;
    }
    ctx.probes++;
    Probe probe = new Probe(nextSeq(), target,
        now + ctx.awareness.scale(ctx.config.probeTimeout().toMillis()), now + interval);
    current = probe;
    Ping ping = new Ping(probe.seq, target.name, ctx.self.name, ctx.self.address);
    if (target.status == MemberStatus.SUSPECT && ctx.config.lifeguard()) {
      // Buddy system: tell the suspect directly, so it can refute at once instead of waiting
      // for the rumour to reach it.
      ctx.send(target.address, ping, new Suspect(target.incarnation, target.name, ctx.self.name));
    } else {
      ctx.send(target.address, ping);
    }
  }

  private void probeIndirectly(Probe probe) {
    probe.indirectSent = true;
    MemberRecord target = probe.target;
    List<MemberRecord> helpers = ctx.table.randomMembers(ctx.config.indirectChecks(),
        r -> r != ctx.self && r != target && r.status == MemberStatus.ALIVE);
    boolean nack = ctx.config.lifeguard();
    for (MemberRecord helper : helpers) {
      ctx.indirectProbes++;
      ctx.send(helper.address, new IndirectPing(probe.seq, target.name, target.address, nack,
          ctx.self.name, ctx.self.address));
    }
    probe.expectedNacks = nack ? helpers.size() : 0;
    if (ctx.config.tcpFallbackProbe()) {
      ctx.streams.add(new StreamRequest.ProbeRequest(target.address,
          new Ping(probe.seq, target.name, ctx.self.name, ctx.self.address), probe.deadline));
    }
  }

  private void succeed() {
    current = null;
    ctx.awareness.apply(-1);
  }

  private void fail(Probe probe) {
    current = null;
    ctx.probesFailed++;
    // Lifeguard: missing nacks mean our own network or CPU may be the problem; with nobody
    // to nack, any failed probe counts against our health.
    int delta = probe.expectedNacks > 0 ? Math.max(0, probe.expectedNacks - probe.nacks) : 1;
    ctx.awareness.apply(delta);
    MemberRecord target = probe.target;
    if (ctx.table.get(target.name) != target || !target.isLive()) {
      return;
    }
    ctx.suspicionsRaised++;
    rules.onSuspect(new Suspect(target.incarnation, target.name, ctx.self.name));
  }

  private void expireRelays(long now) {
    List<Relay> nacks = new ArrayList<>();
    for (Iterator<Relay> it = relays.values().iterator(); it.hasNext(); ) {
      Relay r = it.next();
      if (now >= r.expiresAt) {
        it.remove();
        if (r.nack) {
          nacks.add(r);
        }
      }
    }
    for (Relay r : nacks) {
      ctx.send(r.requester, new Nack(r.requesterSeq));
    }
  }

  private int nextSeq() {
    return ++seq;
  }
}
