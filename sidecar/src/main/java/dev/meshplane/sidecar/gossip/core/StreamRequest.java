package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.NodeAddress;

/** Work the core asks the transport to do over a stream (TCP). */
public sealed interface StreamRequest {
  NodeAddress to();

  /**
   * Exchange full state with {@code to}; hand the reply to {@link SwimCore#onPushPullReply}.
   * A failure needs no report (the core does not wait for it).
   */
  record PushPullRequest(NodeAddress to, PushPull state) implements StreamRequest {}

  /**
   * The TCP fallback probe: send {@code ping} and report whether an ack came back before
   * {@code deadlineMillis} (core time) to {@link SwimCore#onStreamProbeResult}.
   */
  record ProbeRequest(NodeAddress to, GossipMessage.Ping ping, long deadlineMillis) implements StreamRequest {}
}
