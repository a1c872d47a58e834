package dev.meshplane.sidecar.gossip;

import java.time.Duration;

/** Changes a few fields of a {@link GossipConfig} preset; {@link #build()} validates. */
public final class GossipConfigBuilder {
  private Duration probeInterval;
  private Duration probeTimeout;
  private Duration gossipInterval;
  private int gossipNodes;
  private Duration gossipToTheDeadTime;
  private int suspicionMult;
  private int suspicionMaxTimeoutMult;
  private int retransmitMult;
  private Duration pushPullInterval;
  private int indirectChecks;
  private int awarenessMaxMultiplier;
  private Duration tcpTimeout;
  private boolean tcpFallbackProbe;
  private boolean lifeguard;
  private int packetBudget;
  private int maxConcurrentPushPulls;
  private Duration reconnectTimeout;
  private Duration tombstoneTimeout;
  private Duration reapInterval;
  private int minQueueDepth;
  private int maxStreamBytes;

  GossipConfigBuilder(GossipConfig from) {
    probeInterval = from.probeInterval();
    probeTimeout = from.probeTimeout();
    gossipInterval = from.gossipInterval();
    gossipNodes = from.gossipNodes();
    gossipToTheDeadTime = from.gossipToTheDeadTime();
    suspicionMult = from.suspicionMult();
    suspicionMaxTimeoutMult = from.suspicionMaxTimeoutMult();
    retransmitMult = from.retransmitMult();
    pushPullInterval = from.pushPullInterval();
    indirectChecks = from.indirectChecks();
    awarenessMaxMultiplier = from.awarenessMaxMultiplier();
    tcpTimeout = from.tcpTimeout();
    tcpFallbackProbe = from.tcpFallbackProbe();
    lifeguard = from.lifeguard();
    packetBudget = from.packetBudget();
    maxConcurrentPushPulls = from.maxConcurrentPushPulls();
    reconnectTimeout = from.reconnectTimeout();
    tombstoneTimeout = from.tombstoneTimeout();
    reapInterval = from.reapInterval();
    minQueueDepth = from.minQueueDepth();
    maxStreamBytes = from.maxStreamBytes();
  }

  public GossipConfigBuilder probeInterval(Duration value) {
    probeInterval = value;
    return this;
  }

  public GossipConfigBuilder probeTimeout(Duration value) {
    probeTimeout = value;
    return this;
  }

  public GossipConfigBuilder gossipInterval(Duration value) {
    gossipInterval = value;
    return this;
  }

  public GossipConfigBuilder gossipNodes(int value) {
    gossipNodes = value;
    return this;
  }

  public GossipConfigBuilder gossipToTheDeadTime(Duration value) {
    gossipToTheDeadTime = value;
    return this;
  }

  public GossipConfigBuilder suspicionMult(int value) {
    suspicionMult = value;
    return this;
  }

  public GossipConfigBuilder suspicionMaxTimeoutMult(int value) {
    suspicionMaxTimeoutMult = value;
    return this;
  }

  public GossipConfigBuilder retransmitMult(int value) {
    retransmitMult = value;
    return this;
  }

  public GossipConfigBuilder pushPullInterval(Duration value) {
    pushPullInterval = value;
    return this;
  }

  public GossipConfigBuilder indirectChecks(int value) {
    indirectChecks = value;
    return this;
  }

  public GossipConfigBuilder awarenessMaxMultiplier(int value) {
    awarenessMaxMultiplier = value;
    return this;
  }

  public GossipConfigBuilder tcpTimeout(Duration value) {
    tcpTimeout = value;
    return this;
  }

  public GossipConfigBuilder tcpFallbackProbe(boolean value) {
    tcpFallbackProbe = value;
    return this;
  }

  public GossipConfigBuilder lifeguard(boolean value) {
    lifeguard = value;
    return this;
  }

  public GossipConfigBuilder packetBudget(int value) {
    packetBudget = value;
    return this;
  }

  public GossipConfigBuilder maxConcurrentPushPulls(int value) {
    maxConcurrentPushPulls = value;
    return this;
  }

  public GossipConfigBuilder reconnectTimeout(Duration value) {
    reconnectTimeout = value;
    return this;
  }

  public GossipConfigBuilder tombstoneTimeout(Duration value) {
    tombstoneTimeout = value;
    return this;
  }

  public GossipConfigBuilder reapInterval(Duration value) {
    reapInterval = value;
    return this;
  }

  public GossipConfigBuilder minQueueDepth(int value) {
    minQueueDepth = value;
    return this;
  }

  public GossipConfigBuilder maxStreamBytes(int value) {
    maxStreamBytes = value;
    return this;
  }

  public GossipConfig build() {
    return new GossipConfig(
        probeInterval, probeTimeout, gossipInterval, gossipNodes, gossipToTheDeadTime,
        suspicionMult, suspicionMaxTimeoutMult, retransmitMult, pushPullInterval, indirectChecks,
        awarenessMaxMultiplier, tcpTimeout, tcpFallbackProbe, lifeguard, packetBudget,
        maxConcurrentPushPulls, reconnectTimeout, tombstoneTimeout, reapInterval, minQueueDepth,
        maxStreamBytes);
  }
}
