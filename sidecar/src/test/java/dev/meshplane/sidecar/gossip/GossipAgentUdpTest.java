package dev.meshplane.sidecar.gossip;

import static dev.meshplane.sidecar.gossip.AgentTestSupport.await;
import static dev.meshplane.sidecar.gossip.AgentTestSupport.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Five real agents over UDP and TCP on 127.0.0.1, LOCAL preset. The TCP timeout is raised from
 * LOCAL's 1 s to 5 s: on a loaded two-core CI machine a JIT-cold first push-pull can take longer.
 */
class GossipAgentUdpTest {
  static final GossipConfig TEST_LOCAL = GossipConfig.local().toBuilder().tcpTimeout(Duration.ofSeconds(5)).build();
  private final AgentTestSupport support = new AgentTestSupport(TEST_LOCAL);

  @AfterEach
  void stop() {
    support.close();
  }

  @Test
  void fiveAgentsJoinAndSeeEachOtherWithTags() throws Exception {
    List<GossipAgent> agents = support.startCluster(5, Keyring.empty(), EncryptionMode.PLAINTEXT);
    Member seen = agents.get(4).members().stream().filter(m -> m.name().equals("agent-0")).findFirst().orElseThrow();
    assertEquals(agents.get(0).address(), seen.address());
    assertEquals("dc1", seen.datacenter().orElseThrow());
    assertEquals("0.1.0", seen.buildVersion().orElseThrow());
    await("every agent received UDP probes", Duration.ofSeconds(5),
        () -> agents.stream().allMatch(a -> a.transportStats().packetsReceived() > 0));
    for (GossipAgent a : agents) {
      assertEquals(0, a.transportStats().droppedTotal());
      assertEquals(0, a.transportStats().malformed());
    }
    await("every agent heard every join", Duration.ofSeconds(5),
        () -> support.events.stream().filter(s -> s.event() instanceof GossipEvent.MemberEvent m
            && m.kind() == Kind.JOINED).count() >= 25);
  }

  @Test
  void aStoppedAgentIsDetectedAsFailedByAllOthers() throws Exception {
    List<GossipAgent> agents = support.startCluster(5, Keyring.empty(), EncryptionMode.PLAINTEXT);
    agents.get(3).close();
    await("agent-3 is dead everywhere", Duration.ofSeconds(20), () -> agents.stream().filter(a -> a != agents.get(3))
        .allMatch(a -> statusOf(a, "agent-3") == MemberStatus.DEAD));
    await("every other agent got a FAILED event", Duration.ofSeconds(2),
        () -> support.memberEvents(Kind.FAILED, "agent-3").size() == 4);
    assertTrue(support.memberEvents(Kind.LEFT, "agent-3").isEmpty());
  }

  @Test
  void aGracefulLeaveIsSeenAsLeftNotFailed() throws Exception {
    List<GossipAgent> agents = support.startCluster(5, Keyring.empty(), EncryptionMode.PLAINTEXT);
    assertTrue(agents.get(2).leave(Duration.ofSeconds(5)), "leave intent fully sent");
    agents.get(2).close();
    await("agent-2 is left everywhere", Duration.ofSeconds(5), () -> agents.stream().filter(a -> a != agents.get(2))
        .allMatch(a -> statusOf(a, "agent-2") == MemberStatus.LEFT));
    Thread.sleep(3_000);
    assertTrue(support.memberEvents(Kind.FAILED, "agent-2").isEmpty(), "nobody saw a failure");
    assertTrue(agents.stream().filter(a -> a != agents.get(2)).allMatch(a -> statusOf(a, "agent-2") == MemberStatus.LEFT));
  }

  @Test
  void joiningAnUnreachableSeedFailsAfterItsRetriesNamingTheSeed() throws Exception {
    GossipAgent lonely = support.start("lonely", Keyring.empty(), EncryptionMode.PLAINTEXT);
    NodeAddress nobody = new NodeAddress("127.0.0.1", 9);
    ExecutionException e = assertThrows(ExecutionException.class, () -> lonely.join(List.of(nobody),
        new JoinRetry(3, Duration.ofMillis(50), Duration.ofMillis(100))).get());
    assertTrue(e.getCause().getMessage().contains("127.0.0.1:9") && e.getCause().getMessage().contains("3 attempt"),
        e.getCause().getMessage());
  }

  @Test
  void retryJoinSucceedsOnceTheSeedComesUp() throws Exception {
    GossipAgent early = support.start("early", Keyring.empty(), EncryptionMode.PLAINTEXT);
    // Reserve a free port for the seed, then release it and start the seed there a little later.
    int port = freeUdpAndTcpPort();
    var joined = early.join(List.of(new NodeAddress("127.0.0.1", port)),
        new JoinRetry(0, Duration.ofMillis(100), Duration.ofMillis(400)));
    Thread.sleep(600);
    assertTrue(!joined.isDone(), "still retrying while the seed is down");
    GossipAgent seed = GossipAgent.start(new GossipAgentConfig("late-seed", "127.0.0.1", port, null, Map.of(),
        TEST_LOCAL, Keyring.empty(), EncryptionMode.PLAINTEXT));
    support.agents.add(seed);
    assertEquals(1, joined.get(10, java.util.concurrent.TimeUnit.SECONDS));
    await("both see each other", Duration.ofSeconds(5), () -> AgentTestSupport.allAlive(List.of(early, seed)));
  }

  @Test
  void garbageDatagramsAreDroppedAndCounted() throws Exception {
    GossipAgent agent = support.start("target", Keyring.empty(), EncryptionMode.PLAINTEXT);
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
      var to = new java.net.InetSocketAddress("127.0.0.1", agent.address().port());
      socket.send(new java.net.DatagramPacket(new byte[] {0x00, (byte) 0xff, (byte) 0xff, 0x01}, 4, to));
      socket.send(new java.net.DatagramPacket(new byte[] {0x07, 0x01}, 2, to));
      socket.send(new java.net.DatagramPacket(new byte[] {0x01, 0x02, 0x03}, 3, to));
    }
    await("the three datagrams are counted", Duration.ofSeconds(5), () -> agent.transportStats().malformed() == 1
        && agent.transportStats().dropped(dev.meshplane.sidecar.gossip.crypto.PacketSecurity.Rejection.UNKNOWN_FORMAT) == 1
        && agent.transportStats().dropped(
            dev.meshplane.sidecar.gossip.crypto.PacketSecurity.Rejection.ENCRYPTED_WITHOUT_KEYS) == 1);
    assertEquals(MemberStatus.ALIVE, agent.local().status());
  }

  @Test
  void oversizedTagsAreRejectedWithTheirSize() throws Exception {
    GossipAgent agent = support.start("tagged", Keyring.empty(), EncryptionMode.PLAINTEXT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> agent.updateTags(Map.of("blob", "x".repeat(600))));
    assertTrue(e.getMessage().contains("512"), e.getMessage());
  }

  /** A port free for both UDP and TCP on loopback right now (the seed binds both). */
  private static int freeUdpAndTcpPort() throws java.io.IOException {
    var loopback = java.net.InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      try (java.net.ServerSocket tcp = new java.net.ServerSocket(0, 1, loopback);
           java.net.DatagramSocket udp = new java.net.DatagramSocket(tcp.getLocalPort(), loopback)) {
        return udp.getLocalPort();
      } catch (java.net.BindException taken) {
        // The UDP side of that port is in use; try another.
      }
    }
    throw new java.io.IOException("no port free for both UDP and TCP on loopback after 50 attempts");
  }
}
