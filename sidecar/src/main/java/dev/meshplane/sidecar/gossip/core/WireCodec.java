package dev.meshplane.sidecar.gossip.core;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.GossipAck;
import dev.meshplane.proto.internal.v1.GossipAddress;
import dev.meshplane.proto.internal.v1.GossipAlive;
import dev.meshplane.proto.internal.v1.GossipDead;
import dev.meshplane.proto.internal.v1.GossipIndirectPing;
import dev.meshplane.proto.internal.v1.GossipMemberState;
import dev.meshplane.proto.internal.v1.GossipMemberStatus;
import dev.meshplane.proto.internal.v1.GossipMessage.KindCase;
import dev.meshplane.proto.internal.v1.GossipNack;
import dev.meshplane.proto.internal.v1.GossipPacket;
import dev.meshplane.proto.internal.v1.GossipPing;
import dev.meshplane.proto.internal.v1.GossipPushPull;
import dev.meshplane.proto.internal.v1.GossipSuspect;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.MemberTags;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Alive;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Dead;
import dev.meshplane.sidecar.gossip.core.GossipMessage.IndirectPing;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Nack;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Ping;
import dev.meshplane.sidecar.gossip.core.GossipMessage.Suspect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates core messages to and from gossip.proto, and measures them for the packet budget.
 * Decoding validates everything a peer could get wrong and names it.
 */
public final class WireCodec {
  /** Longest member name accepted. */
  public static final int MAX_NAME_CHARS = 255;
  /** Longest host text accepted. */
  public static final int MAX_HOST_CHARS = 255;

  private WireCodec() {}

  /** Bytes the message adds to a compound packet (field tag, length and body). */
  public static int sizeInPacket(GossipMessage message) {
    return CodedOutputStream.computeMessageSize(GossipPacket.MESSAGES_FIELD_NUMBER, toProto(message));
  }

  public static byte[] encodePacket(List<GossipMessage> messages) {
    GossipPacket.Builder packet = GossipPacket.newBuilder();
    for (GossipMessage m : messages) {
      packet.addMessages(toProto(m));
    }
    return packet.build().toByteArray();
  }

  public static List<GossipMessage> decodePacket(byte[] bytes) throws MalformedMessageException {
    GossipPacket packet;
    try {
      packet = GossipPacket.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("gossip packet is not a valid GossipPacket: " + e.getMessage(), e);
    }
    if (packet.getMessagesCount() == 0) {
      throw new MalformedMessageException("gossip packet carries no messages");
    }
    List<GossipMessage> out = new ArrayList<>(packet.getMessagesCount());
    for (dev.meshplane.proto.internal.v1.GossipMessage m : packet.getMessagesList()) {
      out.add(fromProto(m));
    }
    return out;
  }

  public static dev.meshplane.proto.internal.v1.GossipMessage toProto(GossipMessage message) {
    var b = dev.meshplane.proto.internal.v1.GossipMessage.newBuilder();
    switch (message) {
      case Ping p -> b.setPing(ping(p));
      case IndirectPing p -> b.setIndirectPing(GossipIndirectPing.newBuilder()
          .setSeq(p.seq()).setTarget(p.target()).setTargetAddress(address(p.targetAddress()))
          .setNack(p.nack()).setSource(p.source()).setSourceAddress(address(p.sourceAddress())));
      case Ack a -> b.setAck(GossipAck.newBuilder().setSeq(a.seq()));
      case Nack n -> b.setNack(GossipNack.newBuilder().setSeq(n.seq()));
      case Alive a -> b.setAlive(GossipAlive.newBuilder().setIncarnation(a.incarnation()).setName(a.name())
          .setAddress(address(a.address())).putAllTags(a.tags()));
      case Suspect s -> b.setSuspect(GossipSuspect.newBuilder()
          .setIncarnation(s.incarnation()).setName(s.name()).setFrom(s.from()));
      case Dead d -> b.setDead(GossipDead.newBuilder()
          .setIncarnation(d.incarnation()).setName(d.name()).setFrom(d.from()).setLeft(d.left()));
    }
    return b.build();
  }

  public static GossipMessage fromProto(dev.meshplane.proto.internal.v1.GossipMessage m)
      throws MalformedMessageException {
    KindCase kind = m.getKindCase();
    return switch (kind) {
      case PING -> ping(m.getPing());
      case INDIRECT_PING -> {
        GossipIndirectPing p = m.getIndirectPing();
        yield new IndirectPing(p.getSeq(), name("indirect ping target", p.getTarget()),
            address("indirect ping target address", p.getTargetAddress(), p.hasTargetAddress()), p.getNack(),
            name("indirect ping source", p.getSource()),
            address("indirect ping source address", p.getSourceAddress(), p.hasSourceAddress()));
      }
      case ACK -> new Ack(m.getAck().getSeq());
      case NACK -> new Nack(m.getNack().getSeq());
      case ALIVE -> {
        GossipAlive a = m.getAlive();
        yield new Alive(a.getIncarnation(), name("alive name", a.getName()),
            address("alive address of " + a.getName(), a.getAddress(), a.hasAddress()),
            tags("alive " + a.getName(), a.getTagsMap()));
      }
      case SUSPECT -> {
        GossipSuspect s = m.getSuspect();
        yield new Suspect(s.getIncarnation(), name("suspect name", s.getName()), name("suspect from", s.getFrom()));
      }
      case DEAD -> {
        GossipDead d = m.getDead();
        yield new Dead(d.getIncarnation(), name("dead name", d.getName()), name("dead from", d.getFrom()), d.getLeft());
      }
      case KIND_NOT_SET -> throw new MalformedMessageException("gossip message has no kind (unknown or empty)");
    };
  }

  public static GossipPing ping(Ping p) {
    return GossipPing.newBuilder().setSeq(p.seq()).setTarget(p.target()).setSource(p.source())
        .setSourceAddress(address(p.sourceAddress())).build();
  }

  public static Ping ping(GossipPing p) throws MalformedMessageException {
    return new Ping(p.getSeq(), name("ping target", p.getTarget()), name("ping source", p.getSource()),
        address("ping source address", p.getSourceAddress(), p.hasSourceAddress()));
  }

  public static GossipPushPull pushPull(PushPull state) {
    GossipPushPull.Builder b = GossipPushPull.newBuilder().setJoin(state.join());
    for (MemberState m : state.members()) {
      b.addMembers(GossipMemberState.newBuilder().setName(m.name()).setAddress(address(m.address()))
          .putAllTags(m.tags()).setIncarnation(m.incarnation()).setStatus(status(m.status())));
    }
    return b.build();
  }

  public static PushPull pushPull(GossipPushPull p) throws MalformedMessageException {
    List<MemberState> members = new ArrayList<>(p.getMembersCount());
    for (GossipMemberState m : p.getMembersList()) {
      String name = name("push-pull member name", m.getName());
      members.add(new MemberState(name, address("push-pull address of " + name, m.getAddress(), m.hasAddress()),
          tags("push-pull member " + name, m.getTagsMap()), m.getIncarnation(), status(name, m.getStatus())));
    }
    return new PushPull(p.getJoin(), members);
  }

  static GossipAddress address(NodeAddress a) {
    return GossipAddress.newBuilder().setHost(a.host()).setPort(a.port()).build();
  }

  private static NodeAddress address(String what, GossipAddress a, boolean present)
      throws MalformedMessageException {
    if (!present) {
      throw new MalformedMessageException(what + " is missing");
    }
    if (a.getHost().isEmpty() || a.getHost().length() > MAX_HOST_CHARS) {
      throw new MalformedMessageException(what + " host '" + a.getHost() + "' is empty or too long");
    }
    if (a.getPort() < 1 || a.getPort() > 65535) {
      throw new MalformedMessageException(what + " port " + a.getPort() + " is outside 1..65535");
    }
    return new NodeAddress(a.getHost(), a.getPort());
  }

  private static String name(String what, String value) throws MalformedMessageException {
    if (value.isEmpty() || value.length() > MAX_NAME_CHARS) {
      throw new MalformedMessageException(what + " '" + value + "' must be 1.." + MAX_NAME_CHARS + " characters");
    }
    return value;
  }

  private static Map<String, String> tags(String what, Map<String, String> tags) throws MalformedMessageException {
    int size = MemberTags.encodedSize(tags);
    if (size > MemberTags.MAX_ENCODED_BYTES) {
      throw new MalformedMessageException(
          what + " tags are " + size + " bytes, over the " + MemberTags.MAX_ENCODED_BYTES + "-byte limit");
    }
    return tags;
  }

  private static GossipMemberStatus status(MemberStatus s) {
    return switch (s) {
      case ALIVE -> GossipMemberStatus.GOSSIP_MEMBER_STATUS_ALIVE;
      case SUSPECT -> GossipMemberStatus.GOSSIP_MEMBER_STATUS_SUSPECT;
      case DEAD -> GossipMemberStatus.GOSSIP_MEMBER_STATUS_DEAD;
      case LEFT -> GossipMemberStatus.GOSSIP_MEMBER_STATUS_LEFT;
    };
  }

  private static MemberStatus status(String name, GossipMemberStatus s) throws MalformedMessageException {
    return switch (s) {
      case GOSSIP_MEMBER_STATUS_ALIVE -> MemberStatus.ALIVE;
      case GOSSIP_MEMBER_STATUS_SUSPECT -> MemberStatus.SUSPECT;
      case GOSSIP_MEMBER_STATUS_DEAD -> MemberStatus.DEAD;
      case GOSSIP_MEMBER_STATUS_LEFT -> MemberStatus.LEFT;
      default -> throw new MalformedMessageException("push-pull member " + name + " has unknown status " + s);
    };
  }
}
