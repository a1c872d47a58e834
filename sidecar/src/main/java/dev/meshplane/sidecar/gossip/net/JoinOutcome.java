package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.sidecar.gossip.NodeAddress;

/** How a join through one seed ended; {@code error} is null on success. */
public record JoinOutcome(NodeAddress seed, String error) {
  public boolean ok() {
    return error == null;
  }
}
