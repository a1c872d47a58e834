package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.core.SwimCore;

/** One simulated member: a core, its address, and the host's condition. */
public final class SimNode {
  public final String name;
  public final NodeAddress address;
  public final SwimCore core;
  /** False once killed: the member neither processes nor answers anything. */
  boolean running = true;
  /** A slowed (CPU-starved) member processes inbound messages late. */
  public boolean slow;
  long tickAt = Long.MAX_VALUE;

  SimNode(String name, NodeAddress address, SwimCore core) {
    this.name = name;
    this.address = address;
    this.core = core;
  }

  public boolean running() {
    return running;
  }

  @Override
  public String toString() {
    return name;
  }
}
