package dev.meshplane.sidecar.gossip.core;

import java.util.List;

/** A full state sync over a stream; {@code join} when the sender joins through the receiver. */
public record PushPull(boolean join, List<MemberState> members) {
  public PushPull {
    members = List.copyOf(members);
  }
}
