package dev.meshplane.sidecar.gossip.sim;

import static dev.meshplane.sidecar.gossip.sim.SimTestSupport.converged;
import static dev.meshplane.sidecar.gossip.sim.SimTestSupport.seenAs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.NameConflict;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Small clusters of real cores over the simulated network: the protocol end to end. */
class SwimClusterTest {
  private static final long SEED = 20261122L;
  private final GossipConfig lan = GossipConfig.lan();

  private SimCluster cluster(int n, EventLog log) {
    SimCluster c = new SimCluster(SEED, lan, SimNetworkConfig.lan().withEncoding(true));
    c.observe(log);
    SimTestSupport.startCluster(c, n, 10);
    assertTrue(c.runUntil(() -> converged(c), c.now() + 30_000), "cluster of " + n + " converges");
    return c;
  }

  @Test
  void probesAreAnsweredAndNobodyIsSuspectedOnAHealthyNetwork() {
    EventLog log = new EventLog();
    SimCluster c = cluster(5, log);
    c.runFor(60_000);
    assertTrue(converged(c));
    assertTrue(log.ofKind(Kind.SUSPECTED).isEmpty());
    for (SimNode n : c.nodes()) {
      assertTrue(n.core.stats().probes() >= 55, n + " probed about once a second");
      assertEquals(0, n.core.stats().probesFailed());
    }
    assertTrue(c.largestPacket() <= lan.packetBudget() - 29, "largest packet " + c.largestPacket());
  }

  @Test
  void indirectProbesKeepAMemberAliveWhenTheDirectPathIsBroken() {
    EventLog log = new EventLog();
    SimCluster c = cluster(4, log);
    SimNode a = c.node("m0");
    SimNode b = c.node("m1");
    c.blockUdp((from, to) -> (from == a && to == b) || (from == b && to == a));
    c.blockStreams((from, to) -> (from == a && to == b) || (from == b && to == a));
    c.runFor(60_000);
    assertEquals(MemberStatus.ALIVE, a.core.member("m1").orElseThrow().status());
    assertTrue(a.core.stats().indirectProbes() > 0);
    assertTrue(log.about("m1", Kind.SUSPECTED).isEmpty());
  }

  @Test
  void theTcpFallbackProbeKeepsAMemberAliveWhenAllUdpToItIsBlocked() {
    EventLog log = new EventLog();
    SimCluster c = cluster(4, log);
    SimNode b = c.node("m1");
    c.blockUdp((from, to) -> to == b || from == b);
    c.runFor(30_000);
    assertEquals(3, seenAs(c, b, MemberStatus.ALIVE));
    assertTrue(c.node("m0").core.stats().tcpFallbackRescues() > 0);
  }

  @Test
  void aKilledMemberIsSuspectedThenDeclaredDeadByEveryone() {
    EventLog log = new EventLog();
    SimCluster c = cluster(8, log);
    SimNode victim = c.node("m3");
    long killedAt = c.now();
    c.kill(victim);
    assertTrue(c.runUntil(() -> seenAs(c, victim, MemberStatus.DEAD) == 7, killedAt + 60_000));
    long firstSuspect = log.about("m3", Kind.SUSPECTED).get(0).time();
    long firstDead = log.about("m3", Kind.FAILED).get(0).time();
    // N = 8: min suspicion = 4 x log10(8) x 1 s = 3.6 s; no earlier death.
    assertTrue(firstDead - firstSuspect >= 3_612, "dead " + (firstDead - firstSuspect) + " ms after suspicion");
    assertTrue(log.about("m3", Kind.LEFT).isEmpty(), "a failure is not a leave");
  }

  @Test
  void aFalseSuspicionIsRefutedAndNobodyDeclaresTheMemberDead() {
    EventLog log = new EventLog();
    SimCluster c = cluster(6, log);
    SimNode a = c.node("m0");
    SimNode b = c.node("m2");
    a.core.onPacket(c.now(), List.of(new Suspect(b.core.local().incarnation(), "m2", "m0")));
    c.runFor(120_000);
    assertTrue(b.core.local().incarnation() > 1, "b raised its incarnation to refute");
    assertTrue(b.core.stats().refutations() >= 1);
    assertTrue(log.about("m2", Kind.FAILED).isEmpty());
    assertTrue(converged(c));
  }

  @Test
  void aGracefulLeaveIsToldApartFromAFailure() {
    EventLog log = new EventLog();
    SimCluster c = cluster(6, log);
    SimNode leaver = c.node("m1");
    SimNode failer = c.node("m2");
    c.leave(leaver);
    assertTrue(c.runUntil(leaver.core::leaveBroadcastDone, c.now() + 10_000), "leave intent sent out");
    c.kill(leaver);
    c.kill(failer);
    c.runFor(60_000);
    assertEquals(4, seenAs(c, leaver, MemberStatus.LEFT));
    assertEquals(4, seenAs(c, failer, MemberStatus.DEAD));
    assertTrue(log.about("m1", Kind.FAILED).isEmpty(), "nobody thinks the leaver failed");
  }

  @Test
  void aMemberReturningUnderItsNameAtANewAddressReplacesItsDeadEntry() {
    EventLog log = new EventLog();
    SimCluster c = cluster(5, log);
    SimNode old = c.node("m4");
    c.kill(old);
    assertTrue(c.runUntil(() -> seenAs(c, old, MemberStatus.DEAD) == 4, c.now() + 60_000));
    NodeAddress moved = new NodeAddress("10.9.9.9", 8301);
    SimNode back = c.restart("m4", moved);
    c.join(back, c.node("m0"));
    assertTrue(c.runUntil(() -> converged(c), c.now() + 30_000));
    for (SimNode n : c.nodes()) {
      assertEquals(moved, n.core.member("m4").orElseThrow().address(), n + " sees the new address");
    }
  }

  @Test
  void aMemberRestartedAtTheSameAddressRefutesItsOwnDeathAndRejoins() {
    EventLog log = new EventLog();
    SimCluster c = cluster(5, log);
    SimNode old = c.node("m4");
    long incarnationBefore = old.core.local().incarnation();
    c.kill(old);
    assertTrue(c.runUntil(() -> seenAs(c, old, MemberStatus.DEAD) == 4, c.now() + 60_000));
    SimNode back = c.restart("m4", old.address);
    c.join(back, c.node("m0"));
    assertTrue(c.runUntil(() -> converged(c), c.now() + 30_000));
    assertTrue(back.core.local().incarnation() > incarnationBefore);
  }

  @Test
  void twoLiveMembersWithOneNameAreReportedAndTheKnownOneIsKept() {
    EventLog log = new EventLog();
    SimCluster c = cluster(4, log);
    NodeAddress original = c.node("m1").address;
    SimNode twin = c.addProcess("m1-twin", "m1", new NodeAddress("10.8.8.9", 8301), Map.of());
    c.join(twin, c.node("m0"));
    c.runFor(10_000);
    for (String observer : List.of("m0", "m2", "m3")) {
      assertEquals(original, c.node(observer).core.member("m1").orElseThrow().address(), observer);
      assertEquals(MemberStatus.ALIVE, c.node(observer).core.member("m1").orElseThrow().status(), observer);
    }
    assertTrue(log.entries().stream().anyMatch(e -> e.observer().equals("m0") && e.event() instanceof NameConflict nc
        && nc.name().equals("m1") && nc.known().equals(original) && nc.other().equals(twin.address)));
    assertTrue(c.node("m0").core.stats().nameConflicts() >= 1);
  }

  @Test
  void aTagUpdateReachesEveryMember() {
    EventLog log = new EventLog();
    SimCluster c = cluster(50, log);
    long at = c.now();
    c.updateTags(c.node("m7"), Map.of("role", "server", "build", "0.2.0"));
    assertTrue(c.runUntil(() -> log.about("m7", Kind.UPDATED).size() == 50, at + 10_000),
        "all 49 others (and m7 itself) saw the update");
    for (SimNode n : c.nodes()) {
      assertEquals("0.2.0", n.core.member("m7").orElseThrow().buildVersion().orElseThrow());
    }
  }

  @Test
  void aRunReplaysExactlyFromItsSeed() {
    long[] prints = new long[2];
    for (int run = 0; run < 2; run++) {
      EventLog log = new EventLog();
      SimCluster c = new SimCluster(99, lan, SimNetworkConfig.lan().withLoss(0.1));
      c.observe(log);
      SimTestSupport.startCluster(c, 20, 20);
      c.runFor(20_000);
      c.kill(c.node("m5"));
      c.runFor(40_000);
      prints[run] = log.fingerprint();
      assertFalse(log.about("m5", Kind.FAILED).isEmpty());
    }
    assertEquals(prints[0], prints[1]);
  }
}
