package dev.meshplane.sidecar.gossip.sim;

/**
 * The simulated network and hosts.
 *
 * @param lossRate probability that a UDP packet is lost (streams are reliable, like TCP)
 * @param minDelayMillis smallest one-way delay
 * @param maxDelayMillis largest one-way delay (uniform in between)
 * @param slowDelayMaxMillis for slowed members: every inbound packet and stream message waits
 *     a further uniform [0, this] before it is processed (CPU starvation); timers are on time
 * @param encodeOnWire round-trip every packet through the protobuf codec (slower, checks it)
 */
public record SimNetworkConfig(
    double lossRate, long minDelayMillis, long maxDelayMillis, long slowDelayMaxMillis, boolean encodeOnWire) {

  public SimNetworkConfig {
    if (lossRate < 0 || lossRate >= 1) {
      throw new IllegalArgumentException("lossRate " + lossRate + " must be in [0, 1)");
    }
    if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
      throw new IllegalArgumentException("delay range " + minDelayMillis + ".." + maxDelayMillis + " ms is invalid");
    }
    if (slowDelayMaxMillis < 0) {
      throw new IllegalArgumentException("slowDelayMaxMillis " + slowDelayMaxMillis + " must be >= 0");
    }
  }

  /** A LAN: 1-5 ms one way, no loss. */
  public static SimNetworkConfig lan() {
    return new SimNetworkConfig(0.0, 1, 5, 0, false);
  }

  public SimNetworkConfig withLoss(double loss) {
    return new SimNetworkConfig(loss, minDelayMillis, maxDelayMillis, slowDelayMaxMillis, encodeOnWire);
  }

  public SimNetworkConfig withSlowDelay(long maxMillis) {
    return new SimNetworkConfig(lossRate, minDelayMillis, maxDelayMillis, maxMillis, encodeOnWire);
  }

  public SimNetworkConfig withEncoding(boolean encode) {
    return new SimNetworkConfig(lossRate, minDelayMillis, maxDelayMillis, slowDelayMaxMillis, encode);
  }

  public SimNetworkConfig withDelay(long min, long max) {
    return new SimNetworkConfig(lossRate, min, max, slowDelayMaxMillis, encodeOnWire);
  }
}
