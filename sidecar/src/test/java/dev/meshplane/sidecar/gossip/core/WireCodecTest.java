package dev.meshplane.sidecar.gossip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.GossipAlive;
import dev.meshplane.proto.internal.v1.GossipPacket;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Dead;
import dev.meshplane.sidecar.gossip.core.GossipMessage.IndirectPing;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Nack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ping;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  private static final NodeAddress A = new NodeAddress("10.1.2.3", 8301);
  private static final NodeAddress B = new NodeAddress("fd00::1", 8301);

  @Test
  void everyMessageRoundTrips() throws Exception {
    List<GossipMessage> all = List.of(new Ping(1, "b", "a", A), new IndirectPing(2, "c", B, true, "a", A),
        new Ack(3), new Nack(4), new Alive(5, "a", A, Map.of("role", "server", "dc", "dc1")),
        new Suspect(6, "b", "a"), new Dead(7, "c", "c", true));
    assertEquals(all, WireCodec.decodePacket(WireCodec.encodePacket(all)));
    int sum = all.stream().mapToInt(WireCodec::sizeInPacket).sum();
    assertEquals(WireCodec.encodePacket(all).length, sum, "sizes add up to the packet exactly");
  }

  @Test
  void pushPullRoundTrips() throws Exception {
    PushPull state = new PushPull(true, List.of(new MemberState("a", A, Map.of("port", "8300"), 3, MemberStatus.SUSPECT),
        new MemberState("b", B, Map.of(), 1, MemberStatus.LEFT)));
    assertEquals(state, WireCodec.pushPull(WireCodec.pushPull(state)));
  }

  @Test
  void badInputIsRejectedNamingWhatIsWrong() {
    MalformedMessageException garbage = assertThrows(MalformedMessageException.class,
        () -> WireCodec.decodePacket(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
    assertTrue(garbage.getMessage().contains("not a valid GossipPacket"), garbage.getMessage());
    assertTrue(assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(new byte[0]))
        .getMessage().contains("no messages"));

    byte[] noAddress = GossipPacket.newBuilder().addMessages(dev.meshplane.proto.internal.v1.GossipMessage.newBuilder()
        .setAlive(GossipAlive.newBuilder().setName("x").setIncarnation(1))).build().toByteArray();
    assertTrue(assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(noAddress))
        .getMessage().contains("alive address of x is missing"));

    byte[] bigTags = GossipPacket.newBuilder().addMessages(dev.meshplane.proto.internal.v1.GossipMessage.newBuilder()
        .setAlive(GossipAlive.newBuilder().setName("x").setIncarnation(1).setAddress(WireCodec.address(A))
            .putTags("blob", "y".repeat(600)))).build().toByteArray();
    MalformedMessageException tags = assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(bigTags));
    assertTrue(tags.getMessage().contains("512-byte limit"), tags.getMessage());

    byte[] unnamed = GossipPacket.newBuilder().addMessages(dev.meshplane.proto.internal.v1.GossipMessage.newBuilder()
        .setSuspect(dev.meshplane.proto.internal.v1.GossipSuspect.newBuilder().setFrom("a"))).build().toByteArray();
    assertTrue(assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(unnamed))
        .getMessage().contains("suspect name"));
  }
}
