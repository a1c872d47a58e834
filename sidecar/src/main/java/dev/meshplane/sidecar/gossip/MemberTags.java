package dev.meshplane.sidecar.gossip;

import dev.meshplane.proto.internal.v1.GossipAlive;
import java.util.Map;

/**
 * Well-known member tag keys and the tag size limit. Tags travel in every alive message and
 * push-pull, so they are bounded the way memberlist bounds node meta.
 */
public final class MemberTags {
  /** "server" or "client": which role the agent runs. */
  public static final String ROLE = "role";
  /** The agent's datacenter. */
  public static final String DATACENTER = "dc";
  /** The server RPC port (8300 by default) for servers. */
  public static final String RPC_PORT = "port";
  /** The build version of the agent. */
  public static final String BUILD = "build";

  /** Largest encoded size of a member's tags, as memberlist's MetaMaxSize. */
  public static final int MAX_ENCODED_BYTES = 512;

  private MemberTags() {}

  /** The encoded size of the tags on the wire (the protobuf map field). */
  public static int encodedSize(Map<String, String> tags) {
    return GossipAlive.newBuilder().putAllTags(tags).build().getSerializedSize();
  }

  /** Throws naming the size if the tags exceed {@link #MAX_ENCODED_BYTES}. */
  public static Map<String, String> validate(Map<String, String> tags) {
    if (tags == null) {
      throw new IllegalArgumentException("member tags must not be null (use an empty map)");
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
        throw new IllegalArgumentException("member tag keys must be non-empty and values non-null: " + e);
      }
    }
    int size = encodedSize(tags);
    if (size > MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException(
          "member tags encode to " + size + " bytes, over the limit of " + MAX_ENCODED_BYTES + " bytes");
    }
    return Map.copyOf(tags);
  }
}
