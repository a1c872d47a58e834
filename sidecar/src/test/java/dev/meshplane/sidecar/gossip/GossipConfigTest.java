package dev.meshplane.sidecar.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.core.SwimCore;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GossipConfigTest {
  @Test
  void presetsCarryMemberlistDefaults() {
    GossipConfig lan = GossipConfig.lan();
    assertEquals(Duration.ofSeconds(1), lan.probeInterval());
    assertEquals(Duration.ofMillis(500), lan.probeTimeout());
    assertEquals(Duration.ofMillis(200), lan.gossipInterval());
    assertEquals(3, lan.gossipNodes());
    assertEquals(4, lan.suspicionMult());
    assertEquals(6, lan.suspicionMaxTimeoutMult());
    assertEquals(4, lan.retransmitMult());
    assertEquals(Duration.ofSeconds(30), lan.pushPullInterval());
    assertEquals(3, lan.indirectChecks());
    assertEquals(8, lan.awarenessMaxMultiplier());
    assertEquals(Duration.ofSeconds(10), lan.tcpTimeout());
    assertEquals(1400, lan.packetBudget());
    assertEquals(Duration.ofHours(72), lan.reconnectTimeout());

    GossipConfig wan = GossipConfig.wan();
    assertEquals(Duration.ofSeconds(5), wan.probeInterval());
    assertEquals(Duration.ofSeconds(3), wan.probeTimeout());
    assertEquals(Duration.ofMillis(500), wan.gossipInterval());
    assertEquals(4, wan.gossipNodes());
    assertEquals(6, wan.suspicionMult());
    assertEquals(Duration.ofSeconds(60), wan.pushPullInterval());
    assertEquals(Duration.ofSeconds(30), wan.tcpTimeout());

    GossipConfig local = GossipConfig.local();
    assertEquals(Duration.ofMillis(200), local.probeTimeout());
    assertEquals(Duration.ofMillis(100), local.gossipInterval());
    assertEquals(3, local.suspicionMult());
    assertEquals(2, local.retransmitMult());
    assertEquals(1, local.indirectChecks());
    assertEquals(Duration.ofSeconds(15), local.pushPullInterval());
    assertEquals(Duration.ofSeconds(1), local.tcpTimeout());
    assertEquals(GossipConfig.wan(), GossipConfig.preset("WAN"));
  }

  @Test
  void badValuesAreRejectedByName() {
    IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
        () -> GossipConfig.lan().toBuilder().probeTimeout(Duration.ofSeconds(2)).build());
    assertTrue(timeout.getMessage().contains("probeTimeout PT2S must be below probeInterval PT1S"), timeout.getMessage());
    IllegalArgumentException reconnect = assertThrows(IllegalArgumentException.class,
        () -> GossipConfig.lan().toBuilder().reconnectTimeout(Duration.ofHours(1)).build());
    assertTrue(reconnect.getMessage().contains("reconnectTimeout PT1H is below the minimum of PT8H"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GossipConfig.lan().toBuilder().gossipNodes(0).build())
        .getMessage().contains("gossipNodes 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GossipConfig.lan().toBuilder().packetBudget(100).build())
        .getMessage().contains("packetBudget 100"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GossipConfig.preset("moon"))
        .getMessage().contains("'moon'"));
  }

  @Test
  void tagsOverTheLimitAreRejectedWithTheirSize() {
    Map<String, String> big = Map.of("blob", "x".repeat(520));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SwimCore(GossipConfig.lan(),
        "a", new NodeAddress("10.0.0.1", 8301), big, new SplittableRandom(1), 0));
    assertTrue(e.getMessage().matches("member tags encode to \\d+ bytes, over the limit of 512 bytes"), e.getMessage());
    Map<String, String> fits = Map.of("blob", "x".repeat(400));
    SwimCore core = new SwimCore(GossipConfig.lan(), "a", new NodeAddress("10.0.0.1", 8301), fits,
        new SplittableRandom(1), 0);
    assertThrows(IllegalArgumentException.class, () -> core.updateTags(1, big));
    assertEquals(fits, core.local().tags(), "a rejected update changes nothing");
  }

  @Test
  void agentConfigRejectsWhatCannotWork() {
    var lan = GossipConfig.lan();
    var none = dev.meshplane.sidecar.gossip.crypto.Keyring.empty();
    var plain = dev.meshplane.sidecar.gossip.crypto.EncryptionMode.PLAINTEXT;
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new GossipAgentConfig(" ", "127.0.0.1", 8301, null, Map.of(), lan, none, plain)).getMessage().contains("name"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new GossipAgentConfig("a", "127.0.0.1", 70000, null, Map.of(), lan, none, plain))
        .getMessage().contains("port 70000"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new GossipAgentConfig("a", "127.0.0.1", 8301, null, Map.of(), lan, none,
            dev.meshplane.sidecar.gossip.crypto.EncryptionMode.ENFORCED)).getMessage().contains("keyring is empty"));
    IllegalArgumentException wildcard = assertThrows(IllegalArgumentException.class, () -> GossipAgent.start(
        new GossipAgentConfig("a", "0.0.0.0", 0, null, Map.of(), lan, none, plain)));
    assertTrue(wildcard.getMessage().contains("wildcard"), wildcard.getMessage());
  }
}
