package dev.meshplane.sidecar.gossip;

import static dev.meshplane.sidecar.gossip.AgentTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keygen;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.Rejection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Encrypted gossip between real agents: key rotation under traffic, rollout without restart. */
class GossipEncryptionUdpTest {
  private final AgentTestSupport support = new AgentTestSupport(GossipAgentUdpTest.TEST_LOCAL);

  @AfterEach
  void stop() {
    support.close();
  }

  private List<AgentTestSupport.Seen> trouble() {
    return support.events.stream().filter(s -> s.event() instanceof GossipEvent.MemberEvent m
        && (m.kind() == Kind.SUSPECTED || m.kind() == Kind.FAILED || m.kind() == Kind.LEFT)).toList();
  }

  @Test
  void keysRotateUnderTrafficWithoutLosingAMember() throws Exception {
    String oldKey = Keygen.generate();
    List<GossipAgent> agents = support.startCluster(5, Keyring.of(oldKey), EncryptionMode.ENFORCED);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger updates = new AtomicInteger();
    Thread traffic = Thread.ofVirtual().start(() -> {
      while (running.get()) {
        agents.get(0).updateTags(Map.of(MemberTags.BUILD, "0.1." + updates.incrementAndGet()));
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    String newKey = Keygen.generate();
    for (GossipAgent a : agents) {
      a.keyring().install(newKey);
    }
    Thread.sleep(500);
    for (GossipAgent a : agents) {
      a.keyring().use(newKey);
      Thread.sleep(200);
    }
    Thread.sleep(500);
    for (GossipAgent a : agents) {
      a.keyring().remove(oldKey);
    }
    Thread.sleep(2_000);
    running.set(false);
    traffic.join();

    assertTrue(updates.get() > 20, "tag updates kept gossip busy during the rotation");
    assertTrue(trouble().isEmpty(), "no member was suspected during the rotation: " + trouble());
    for (GossipAgent a : agents) {
      assertEquals(List.of(newKey), a.keyring().list());
      assertEquals(0, a.transportStats().dropped(Rejection.DECRYPT_FAILED), a.local().name() + " dropped packets");
      assertEquals(5, a.members().stream().filter(m -> m.status() == MemberStatus.ALIVE).count());
    }
    String last = "0.1." + updates.get();
    await("the last update reached everyone", Duration.ofSeconds(10), () -> agents.stream().allMatch(a ->
        a.members().stream().anyMatch(m -> m.name().equals("agent-0") && last.equals(m.tags().get(MemberTags.BUILD)))),
        () -> " (last " + last + "): " + agents.stream().map(a -> a.local().name() + " sees " + a.members().stream()
            .filter(m -> m.name().equals("agent-0")).map(m -> m.tags() + "#" + m.incarnation()).toList()).toList());

    // The retired key no longer opens anything: a member holding only it cannot join.
    GossipAgent stale = support.start("stale", Keyring.of(oldKey), EncryptionMode.ENFORCED);
    assertThrows(IOException.class, () -> stale.join(List.of(agents.get(1).address())));
    assertTrue(agents.get(1).transportStats().dropped(Rejection.DECRYPT_FAILED) > 0, "the refused frame was counted");
  }

  @Test
  void encryptionIsSwitchedOnInARunningClusterWithoutARestart() throws Exception {
    List<GossipAgent> agents = support.startCluster(3, Keyring.empty(), EncryptionMode.PLAINTEXT);
    String key = Keygen.generate();
    for (GossipAgent a : agents) {
      a.keyring().install(key);
      a.setEncryptionMode(new EncryptionMode(false, false));
    }
    Thread.sleep(300);
    for (GossipAgent a : agents) {
      a.setEncryptionMode(new EncryptionMode(true, false));
      Thread.sleep(300);
    }
    for (GossipAgent a : agents) {
      a.setEncryptionMode(EncryptionMode.ENFORCED);
      Thread.sleep(300);
    }
    long receivedBefore = agents.get(0).transportStats().packetsReceived();
    Thread.sleep(1_500);
    assertTrue(agents.get(0).transportStats().packetsReceived() > receivedBefore, "gossip continued");
    assertTrue(trouble().isEmpty(), "no member was suspected while switching: " + trouble());
    for (GossipAgent a : agents) {
      assertEquals(0, a.transportStats().droppedTotal(), a.local().name() + " dropped packets");
    }
    GossipAgent plaintext = support.start("outsider", Keyring.empty(), EncryptionMode.PLAINTEXT);
    assertThrows(IOException.class, () -> plaintext.join(List.of(agents.get(0).address())));
    assertTrue(agents.get(0).transportStats().dropped(Rejection.PLAINTEXT_REFUSED) > 0);
  }
}
