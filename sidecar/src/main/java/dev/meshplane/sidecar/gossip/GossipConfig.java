package dev.meshplane.sidecar.gossip;

import java.time.Duration;

/**
 * Every tunable of the gossip layer. Use a preset ({@link #lan()}, {@link #wan()},
 * {@link #local()}); the first three blocks of defaults are hashicorp/memberlist's so that
 * operators' experience carries over. The compact constructor rejects a bad value by name.
 *
 * @param probeInterval time between failure-detection probes (LAN 1 s, WAN 5 s, LOCAL 1 s);
 *     scaled by the Lifeguard health multiplier
 * @param probeTimeout wait for a direct ack before asking others to probe (500 ms / 3 s /
 *     200 ms); scaled by the health multiplier; must be below probeInterval
 * @param gossipInterval time between gossip rounds (200 ms / 500 ms / 100 ms)
 * @param gossipNodes members sent to in each gossip round (3 / 4 / 3)
 * @param gossipToTheDeadTime how long dead members still receive gossip so that a wrongly
 *     declared one learns of it and refutes (30 s / 60 s / 15 s)
 * @param suspicionMult suspicion timeout multiplier: min timeout = mult x max(1, log10 N) x
 *     probeInterval (4 / 6 / 3)
 * @param suspicionMaxTimeoutMult max suspicion timeout = this x min; confirmations shrink the
 *     timeout from max toward min (6 / 6 / 6)
 * @param retransmitMult each broadcast is sent retransmitMult x ceil(log10(N + 1)) times
 *     (4 / 4 / 2)
 * @param pushPullInterval base time between full state syncs over TCP, scaled up for large
 *     clusters (30 s / 60 s / 15 s)
 * @param indirectChecks members asked to probe a silent target (3 / 3 / 1)
 * @param awarenessMaxMultiplier Lifeguard health multiplier cap: probe interval and timeout are
 *     scaled by (score + 1), score in [0, this - 1] (8 / 8 / 8)
 * @param tcpTimeout connect + exchange limit of a push-pull (10 s / 30 s / 1 s)
 * @param tcpFallbackProbe also probe a silent target over TCP, for networks where UDP is
 *     blocked but TCP is not (memberlist's default: on)
 * @param lifeguard the Lifeguard extensions (health multiplier, nacks, suspicion timeouts that
 *     shrink with confirmations, buddy system); off gives plain SWIM, for comparison only
 * @param packetBudget largest UDP datagram sent, encryption overhead included (1,400 bytes:
 *     below a 1,500-byte MTU with IP/UDP headers and tunnel room)
 * @param maxConcurrentPushPulls inbound push-pulls served at once; more are refused (128)
 * @param reconnectTimeout a failed member is forgotten after this (Consul's 72 h; at least 8 h
 *     so that a long outage does not silently drop a node)
 * @param tombstoneTimeout a left member is forgotten after this (Serf's 24 h)
 * @param reapInterval how often failed and left members are checked for reaping (Serf's 15 s)
 * @param minQueueDepth broadcasts kept queued at least; the cap is max(this, 2 x N) and the most
 *     retransmitted are dropped first (Serf's 4,096)
 * @param maxStreamBytes largest push-pull frame accepted over TCP (8 MiB: ~60,000 members)
 */
public record GossipConfig(
    Duration probeInterval,
    Duration probeTimeout,
    Duration gossipInterval,
    int gossipNodes,
    Duration gossipToTheDeadTime,
    int suspicionMult,
    int suspicionMaxTimeoutMult,
    int retransmitMult,
    Duration pushPullInterval,
    int indirectChecks,
    int awarenessMaxMultiplier,
    Duration tcpTimeout,
    boolean tcpFallbackProbe,
    boolean lifeguard,
    int packetBudget,
    int maxConcurrentPushPulls,
    Duration reconnectTimeout,
    Duration tombstoneTimeout,
    Duration reapInterval,
    int minQueueDepth,
    int maxStreamBytes) {

  /** The floor on reconnectTimeout, as Consul enforces. */
  public static final Duration MIN_RECONNECT_TIMEOUT = Duration.ofHours(8);

  public GossipConfig {
    positive("probeInterval", probeInterval);
    positive("probeTimeout", probeTimeout);
    if (probeTimeout.compareTo(probeInterval) >= 0) {
      throw new IllegalArgumentException(
          "probeTimeout " + probeTimeout + " must be below probeInterval " + probeInterval);
    }
    positive("gossipInterval", gossipInterval);
    atLeast("gossipNodes", gossipNodes, 1);
    positive("gossipToTheDeadTime", gossipToTheDeadTime);
    atLeast("suspicionMult", suspicionMult, 1);
    atLeast("suspicionMaxTimeoutMult", suspicionMaxTimeoutMult, 1);
    atLeast("retransmitMult", retransmitMult, 1);
    positive("pushPullInterval", pushPullInterval);
    atLeast("indirectChecks", indirectChecks, 0);
    atLeast("awarenessMaxMultiplier", awarenessMaxMultiplier, 1);
    positive("tcpTimeout", tcpTimeout);
    if (packetBudget < 1024 || packetBudget > 65_000) {
      throw new IllegalArgumentException("packetBudget " + packetBudget + " is outside 1024..65000 bytes");
    }
    atLeast("maxConcurrentPushPulls", maxConcurrentPushPulls, 1);
    if (reconnectTimeout == null || reconnectTimeout.compareTo(MIN_RECONNECT_TIMEOUT) < 0) {
      throw new IllegalArgumentException(
          "reconnectTimeout " + reconnectTimeout + " is below the minimum of " + MIN_RECONNECT_TIMEOUT);
    }
    positive("tombstoneTimeout", tombstoneTimeout);
    positive("reapInterval", reapInterval);
    atLeast("minQueueDepth", minQueueDepth, 16);
    atLeast("maxStreamBytes", maxStreamBytes, 64 * 1024);
  }

  /** One datacenter's LAN pool: memberlist's DefaultLANConfig. */
  public static GossipConfig lan() {
    return new GossipConfig(
        Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(200), 3,
        Duration.ofSeconds(30), 4, 6, 4, Duration.ofSeconds(30), 3, 8, Duration.ofSeconds(10),
        true, true, 1400, 128, Duration.ofHours(72), Duration.ofHours(24), Duration.ofSeconds(15),
        4096, 8 * 1024 * 1024);
  }

  /** The servers of all datacenters over a WAN: memberlist's DefaultWANConfig. */
  public static GossipConfig wan() {
    return lan().toBuilder()
        .probeInterval(Duration.ofSeconds(5)).probeTimeout(Duration.ofSeconds(3))
        .gossipInterval(Duration.ofMillis(500)).gossipNodes(4)
        .gossipToTheDeadTime(Duration.ofSeconds(60)).suspicionMult(6)
        .pushPullInterval(Duration.ofSeconds(60)).tcpTimeout(Duration.ofSeconds(30)).build();
  }

  /** One host or a test: memberlist's DefaultLocalConfig. */
  public static GossipConfig local() {
    return lan().toBuilder()
        .probeTimeout(Duration.ofMillis(200)).gossipInterval(Duration.ofMillis(100))
        .gossipToTheDeadTime(Duration.ofSeconds(15)).suspicionMult(3).retransmitMult(2)
        .pushPullInterval(Duration.ofSeconds(15)).indirectChecks(1).tcpTimeout(Duration.ofSeconds(1))
        .build();
  }

  /** The preset by name: lan, wan or local. */
  public static GossipConfig preset(String name) {
    return switch (name == null ? "" : name.toLowerCase(java.util.Locale.ROOT)) {
      case "lan" -> lan();
      case "wan" -> wan();
      case "local" -> local();
      default -> throw new IllegalArgumentException("gossip preset '" + name + "' is not one of lan, wan, local");
    };
  }

  public GossipConfigBuilder toBuilder() {
    return new GossipConfigBuilder(this);
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " " + value + " must be a positive duration");
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " " + value + " must be at least " + min);
    }
  }
}
