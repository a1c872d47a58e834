package dev.meshplane.sidecar.gossip.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BroadcastQueueTest {
  private static Alive alive(String name, long inc) {
    return new Alive(inc, name, new NodeAddress("10.0.0.1", 8301), Map.of("role", "client"));
  }

  @Test
  void eachBroadcastIsSentExactlyLimitTimes() {
    BroadcastQueue q = new BroadcastQueue();
    q.enqueue(alive("a", 1));
    int sent = 0;
    for (int i = 0; i < 20; i++) {
      sent += q.take(1400, 12).size();
    }
    assertEquals(12, sent);
    assertEquals(0, q.size());
  }

  @Test
  void aNewerBroadcastAboutAMemberReplacesTheOlder() {
    BroadcastQueue q = new BroadcastQueue();
    long first = q.enqueue(alive("a", 1));
    long second = q.enqueue(new Suspect(1, "a", "b"));
    assertEquals(1, q.size());
    assertFalse(q.isQueued("a", first));
    assertTrue(q.isQueued("a", second));
    assertEquals(List.of(new Suspect(1, "a", "b")), q.take(1400, 4));
  }

  @Test
  void freshNewsGoesBeforeRepeatsAndPacketsStayWithinTheBudget() {
    BroadcastQueue q = new BroadcastQueue();
    q.enqueue(alive("old", 1));
    q.take(1400, 10);
    q.enqueue(alive("new", 1));
    int one = WireCodec.sizeInPacket(alive("new", 1));
    assertEquals(List.of(alive("new", 1)), q.take(one, 10), "only one fits: the never-sent one");
    for (int i = 0; i < 200; i++) {
      q.enqueue(alive("m" + i, 1));
    }
    List<GossipMessage> packet = q.take(1371, 10);
    int size = packet.stream().mapToInt(WireCodec::sizeInPacket).sum();
    assertTrue(size <= 1371, "packet of " + size + " bytes");
    assertTrue(packet.size() > 10, "a packet carries many broadcasts, got " + packet.size());
    assertTrue(WireCodec.encodePacket(packet).length <= 1371);
  }

  @Test
  void pruneDropsTheMostTransmittedFirst() {
    BroadcastQueue q = new BroadcastQueue();
    q.enqueue(alive("worn", 1));
    q.take(1400, 10);
    q.take(1400, 10);
    q.enqueue(alive("fresh", 1));
    assertEquals(1, q.prune(1));
    assertEquals(List.of(alive("fresh", 1)), q.take(1400, 10));
  }
}
