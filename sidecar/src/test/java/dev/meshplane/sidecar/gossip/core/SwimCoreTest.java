package dev.meshplane.sidecar.gossip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Dead;
import dev.meshplane.sidecar.gossip.core.GossipMessage.IndirectPing;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Nack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ping;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One core driven by hand: each protocol rule in isolation. */
class SwimCoreTest {
  private final GossipConfig lan = GossipConfig.lan();

  @Test
  void answersAPingWithAnAckToTheSourceAddress() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.clear();
    a.receive(new Ping(7, "a", "b", CoreTestSupport.address(2)));
    List<OutboundPacket> toB = a.packetsTo(CoreTestSupport.address(2));
    assertEquals(1, toB.size());
    assertEquals(new Ack(7), toB.get(0).messages().get(0));
  }

  @Test
  void ignoresAPingMeantForAnotherMember() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.clear();
    a.receive(new Ping(7, "someone-else", "b", CoreTestSupport.address(2)));
    assertTrue(a.sent(Ack.class).isEmpty());
    assertEquals(1, a.core.stats().misdirectedPings());
  }

  @Test
  void probeWithoutAckGoesIndirectWithNacksThenTcpThenSuspects() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c", "d", "e");
    a.clear();
    // Run until the first probe goes out.
    while (a.sent(Ping.class).isEmpty()) {
      a.runUntil(a.core.nextDeadline());
    }
    Ping ping = a.sent(Ping.class).get(0);
    long sentAt = a.now;
    a.runUntil(sentAt + 499);
    assertTrue(a.sent(IndirectPing.class).isEmpty(), "indirect probes only after the probe timeout");
    a.runUntil(sentAt + 500);
    List<IndirectPing> indirect = a.sent(IndirectPing.class);
    assertEquals(3, indirect.size(), "IndirectChecks = 3 helpers");
    assertTrue(indirect.stream().allMatch(p -> p.nack() && p.target().equals(ping.target())));
    assertTrue(indirect.stream().noneMatch(p -> a.packetsTo(CoreTestSupport.address(1)).size() > 0));
    assertEquals(1, a.streams.size(), "a TCP fallback probe in parallel");
    StreamRequest.ProbeRequest tcp = (StreamRequest.ProbeRequest) a.streams.get(0);
    assertEquals(sentAt + 1000, tcp.deadlineMillis());
    // One helper nacks: two nacks missing -> health score +2, and the target becomes suspect.
    a.receive(new Nack(ping.seq()));
    a.runUntil(sentAt + 1000);
    assertEquals(MemberStatus.SUSPECT, a.status(ping.target()));
    assertEquals(2, a.core.stats().awarenessScore());
    assertTrue(a.events.stream().anyMatch(e -> e instanceof MemberEvent m && m.kind() == Kind.SUSPECTED));
  }

  @Test
  void anIndirectAckBeforeTheDeadlineSavesTheTarget() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c", "d");
    a.clear();
    while (a.sent(Ping.class).isEmpty()) {
      a.runUntil(a.core.nextDeadline());
    }
    Ping ping = a.sent(Ping.class).get(0);
    long sentAt = a.now;
    a.runUntil(sentAt + 600);
    a.receive(new Ack(ping.seq()));
    a.runUntil(sentAt + 1000);
    assertEquals(MemberStatus.ALIVE, a.status(ping.target()));
    assertEquals(0, a.core.stats().probesFailed());
  }

  @Test
  void aTcpFallbackAckSavesTheTargetWhenUdpIsBlocked() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.clear();
    while (a.streams.isEmpty()) {
      a.runUntil(a.core.nextDeadline());
    }
    StreamRequest.ProbeRequest tcp = (StreamRequest.ProbeRequest) a.streams.get(0);
    a.core.onStreamProbeResult(a.now + 10, tcp.ping().seq(), true);
    a.collect();
    a.runUntil(tcp.deadlineMillis());
    assertEquals(MemberStatus.ALIVE, a.status("b"));
    assertEquals(0, a.core.stats().probesFailed());
    assertEquals(1, a.core.stats().tcpFallbackRescues());
  }

  @Test
  void relaysAnIndirectPingAndNacksWhenTheTargetIsSilent() {
    CoreTestSupport h = new CoreTestSupport(lan, "h", 1);
    h.clear();
    h.receive(new IndirectPing(55, "t", CoreTestSupport.address(9), true, "a", CoreTestSupport.address(2)));
    Ping relayed = h.sent(Ping.class).get(0);
    assertEquals("t", relayed.target());
    assertEquals(1, h.packetsTo(CoreTestSupport.address(9)).size());
    h.runUntil(h.now + 500);
    assertEquals(List.of(new Nack(55)), h.packetsTo(CoreTestSupport.address(2)).get(0).messages().subList(0, 1));

    h.clear();
    h.receive(new IndirectPing(56, "t", CoreTestSupport.address(9), true, "a", CoreTestSupport.address(2)));
    Ping second = h.sent(Ping.class).get(0);
    h.receive(new Ack(second.seq()));
    assertEquals(new Ack(56), h.packetsTo(CoreTestSupport.address(2)).get(0).messages().get(0));
    h.runUntil(h.now + 1000);
    assertTrue(h.sent(Nack.class).isEmpty(), "no nack once the ack was relayed");
  }

  @Test
  void refutesASuspicionOfItselfWithAHigherIncarnation() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.clear();
    a.receive(new Suspect(5, "a", "b"));
    assertEquals(6, a.core.local().incarnation());
    assertEquals(MemberStatus.ALIVE, a.core.local().status());
    assertEquals(1, a.core.stats().refutations());
    assertEquals(1, a.core.stats().awarenessScore(), "having to refute counts against our health");
    a.runUntil(a.now + 1000);
    assertTrue(a.sent(Alive.class).stream().anyMatch(al -> al.name().equals("a") && al.incarnation() == 6));
    a.receive(new Dead(6, "a", "b", false));
    assertEquals(7, a.core.local().incarnation());
  }

  @Test
  void aHigherIncarnationAliveClearsASuspicionAndAnOlderOneDoesNot() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.responding.add(CoreTestSupport.address(100));
    a.receive(new Suspect(1, "b", "c"));
    assertEquals(MemberStatus.SUSPECT, a.status("b"));
    a.receive(new Alive(1, "b", CoreTestSupport.address(100), Map.of()));
    assertEquals(MemberStatus.SUSPECT, a.status("b"), "same incarnation does not refute");
    a.receive(new Alive(2, "b", CoreTestSupport.address(100), Map.of()));
    assertEquals(MemberStatus.ALIVE, a.status("b"));
    a.runUntil(a.now + Duration.ofMinutes(5).toMillis());
    assertEquals(MemberStatus.ALIVE, a.status("b"), "the cancelled suspicion timer must not fire");
  }

  @Test
  void aSuspectIsDeclaredDeadWhenItsTimerRunsOut() {
    GossipConfig plain = lan.toBuilder().lifeguard(false).build();
    CoreTestSupport a = new CoreTestSupport(plain, "a", 1);
    a.learn("b", "c");
    long start = a.now;
    a.receive(new Suspect(1, "b", "c"));
    // N = 3: min = 4 x max(1, log10 3) x 1 s = 4 s; plain SWIM waits exactly min.
    a.runUntil(start + 3999);
    assertEquals(MemberStatus.SUSPECT, a.status("b"));
    a.runUntil(start + 4000);
    assertEquals(MemberStatus.DEAD, a.status("b"));
    assertTrue(a.events.stream().anyMatch(e -> e instanceof MemberEvent m && m.kind() == Kind.FAILED
        && m.member().name().equals("b") && m.reportedBy().equals("a")));
  }

  @Test
  void leaveIsAnnouncedAndRecordedAsLeftNotFailed() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c");
    a.receive(new Dead(1, "b", "b", true));
    assertEquals(MemberStatus.LEFT, a.status("b"));
    a.receive(new Dead(1, "c", "b", true));
    assertEquals(MemberStatus.DEAD, a.status("c"), "only a member itself can announce that it left");

    a.learn("d", "e");
    a.responding.add(CoreTestSupport.address(102));
    a.responding.add(CoreTestSupport.address(103));
    a.clear();
    a.core.leave(a.now);
    a.collect();
    assertEquals(MemberStatus.LEFT, a.core.local().status());
    assertEquals(2, a.sent(Dead.class).stream().filter(Dead::isLeaveIntent).count(),
        "the intent goes straight to the live members, not only into the gossip queue");
    assertFalse(a.core.leaveBroadcastDone(), "the queued intent has not been retransmitted yet");
    a.runUntil(a.now + 10_000);
    assertTrue(a.core.leaveBroadcastDone());
    assertTrue(a.sent(Dead.class).stream().anyMatch(d -> d.name().equals("a") && d.isLeaveIntent()));
    assertTrue(a.sent(Ping.class).isEmpty(), "a leaving member stops probing");
  }

  @Test
  void aLeaveIntentArrivingAfterADeathRecordsTheLeave() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c");
    a.receive(new Dead(1, "b", "c", false));
    assertEquals(MemberStatus.DEAD, a.status("b"));
    a.receive(new Dead(1, "b", "b", true));
    assertEquals(MemberStatus.LEFT, a.status("b"));
    a.receive(new Dead(1, "c", "c", true));
    a.receive(new Dead(1, "c", "b", false));
    assertEquals(MemberStatus.LEFT, a.status("c"), "a failure report does not overwrite a leave");
  }

  @Test
  void deadAndLeftMembersAreReapedAfterTheirTimeouts() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c");
    long t0 = a.now;
    a.receive(new Dead(1, "b", "c", false), new Dead(1, "c", "c", true));
    a.jumpTo(t0 + Duration.ofHours(24).toMillis() - 15_000);
    assertTrue(a.core.member("c").isPresent());
    a.jumpTo(t0 + Duration.ofHours(24).toMillis() + 15_000);
    assertTrue(a.core.member("c").isEmpty(), "left member reaped after the 24 h tombstone");
    assertTrue(a.core.member("b").isPresent(), "failed member kept for reconnect_timeout");
    a.jumpTo(t0 + Duration.ofHours(72).toMillis() - 15_000);
    assertTrue(a.core.member("b").isPresent());
    a.jumpTo(t0 + Duration.ofHours(72).toMillis() + 15_000);
    assertTrue(a.core.member("b").isEmpty(), "failed member reaped after 72 h");
    assertEquals(2, a.events.stream().filter(e -> e instanceof MemberEvent m && m.kind() == Kind.REAPED).count());
  }

  @Test
  void aMemberReturningAtANewAddressReplacesTheDeadEntry() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.receive(new Dead(3, "b", "c", false));
    a.clear();
    a.receive(new Alive(1, "b", CoreTestSupport.address(77), Map.of("role", "server")));
    var b = a.core.member("b").orElseThrow();
    assertEquals(MemberStatus.ALIVE, b.status());
    assertEquals(CoreTestSupport.address(77), b.address());
    assertTrue(a.events.stream().anyMatch(e -> e instanceof MemberEvent m && m.kind() == Kind.JOINED));
  }

  @Test
  void twoLiveMembersWithOneNameAreReportedNotMerged() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.clear();
    a.receive(new Alive(9, "b", CoreTestSupport.address(77), Map.of()));
    a.receive(new Alive(10, "b", CoreTestSupport.address(77), Map.of()));
    var b = a.core.member("b").orElseThrow();
    assertEquals(CoreTestSupport.address(100), b.address());
    assertEquals(1, b.incarnation());
    List<GossipEvent.NameConflict> conflicts = a.events.stream()
        .filter(e -> e instanceof GossipEvent.NameConflict).map(e -> (GossipEvent.NameConflict) e).toList();
    assertEquals(List.of(new GossipEvent.NameConflict("b", CoreTestSupport.address(100), CoreTestSupport.address(77))),
        conflicts, "reported once, the known entry kept");
    // Someone else claiming our own name is reported too.
    a.receive(new Alive(1, "a", CoreTestSupport.address(78), Map.of()));
    assertEquals(CoreTestSupport.address(1), a.core.local().address());
    assertEquals(2, a.core.stats().nameConflicts());
  }

  @Test
  void pingsToASuspectCarryTheSuspicionBuddySystem() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.receive(new Suspect(1, "b", "c"));
    a.clear();
    while (a.sent(Ping.class).isEmpty()) {
      a.runUntil(a.core.nextDeadline());
    }
    OutboundPacket probe = a.packetsTo(CoreTestSupport.address(100)).stream()
        .filter(p -> p.messages().get(0) instanceof Ping).findFirst().orElseThrow();
    assertTrue(probe.messages().get(0) instanceof Ping);
    assertTrue(probe.messages().contains(new Suspect(1, "b", "a")), "the suspect is told directly");
  }

  @Test
  void pushPullMergesDeadAsSuspectAndLeftAsLeft() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b", "c");
    PushPull reply = a.core.onPushPullRequest(a.now, new PushPull(false, List.of(
        new MemberState("b", CoreTestSupport.address(100), Map.of(), 1, MemberStatus.DEAD),
        new MemberState("c", CoreTestSupport.address(101), Map.of(), 1, MemberStatus.LEFT),
        new MemberState("z", CoreTestSupport.address(120), Map.of(), 4, MemberStatus.DEAD))));
    assertEquals(3, reply.members().size(), "our state as it was before the merge");
    assertEquals(MemberStatus.SUSPECT, a.status("b"));
    assertEquals(MemberStatus.LEFT, a.status("c"));
    assertTrue(a.core.member("z").isEmpty(), "a dead stranger is not adopted");
  }

  @Test
  void tagsUpdateBumpsTheIncarnationAndIsGossiped() {
    CoreTestSupport a = new CoreTestSupport(lan, "a", 1);
    a.learn("b");
    a.core.updateTags(a.now, Map.of("role", "server", "dc", "dc1"));
    a.collect();
    assertEquals(2, a.core.local().incarnation());
    a.runUntil(a.now + 1000);
    assertTrue(a.sent(Alive.class).stream().anyMatch(al -> al.name().equals("a") && al.tags().get("dc").equals("dc1")));
  }
}
