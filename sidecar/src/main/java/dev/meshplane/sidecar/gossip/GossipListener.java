package dev.meshplane.sidecar.gossip;

/** Receives membership events, in order, on the agent's event thread (never the network loop). */
@FunctionalInterface
public interface GossipListener {
  void onEvent(GossipEvent event);
}
