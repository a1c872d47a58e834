package dev.meshplane.sidecar.gossip;

import java.util.Map;
import java.util.Optional;

/** An immutable snapshot of one member as the local agent sees it. */
public record Member(
    String name, NodeAddress address, Map<String, String> tags, MemberStatus status, long incarnation) {

  public Member {
    tags = Map.copyOf(tags);
  }

  public Optional<String> role() {
    return Optional.ofNullable(tags.get(MemberTags.ROLE));
  }

  public Optional<String> datacenter() {
    return Optional.ofNullable(tags.get(MemberTags.DATACENTER));
  }

  /** The server RPC port advertised in the tags, if any and numeric. */
  public Optional<Integer> rpcPort() {
    String port = tags.get(MemberTags.RPC_PORT);
    if (port == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(port));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  public Optional<String> buildVersion() {
    return Optional.ofNullable(tags.get(MemberTags.BUILD));
  }
}
