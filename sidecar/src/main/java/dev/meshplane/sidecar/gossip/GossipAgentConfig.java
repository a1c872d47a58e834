package dev.meshplane.sidecar.gossip;

import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import java.util.Map;

/**
 * What one gossip member needs to start.
 *
 * @param name the member (node) name, unique in the pool
 * @param bindHost the IP to bind UDP and TCP on (e.g. 0.0.0.0)
 * @param bindPort the port for both (8301 LAN, 8302 WAN; 0 picks a free one, for tests)
 * @param advertiseHost the IP other members reach us at; null uses bindHost (not a wildcard)
 * @param tags role, datacenter, RPC port, build version...; at most 512 bytes encoded
 * @param gossip the protocol tunables (a preset)
 * @param keyring encryption keys; empty for plaintext
 * @param encryption whether to seal outgoing packets and refuse plaintext ones
 */
public record GossipAgentConfig(
    String name,
    String bindHost,
    int bindPort,
    String advertiseHost,
    Map<String, String> tags,
    GossipConfig gossip,
    Keyring keyring,
    EncryptionMode encryption) {

  public GossipAgentConfig {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("gossip member name must not be empty");
    }
    if (bindHost == null || bindHost.isBlank()) {
      throw new IllegalArgumentException("gossip bind host must not be empty");
    }
    if (bindPort < 0 || bindPort > 65535) {
      throw new IllegalArgumentException("gossip bind port " + bindPort + " is outside 0..65535");
    }
    tags = MemberTags.validate(tags);
    if (gossip == null || keyring == null || encryption == null) {
      throw new IllegalArgumentException("gossip config, keyring and encryption mode must be given");
    }
    encryption.checkAgainst(keyring);
  }

  /** A member on {@code host:port} with the LAN preset, encrypted iff the keyring has a key. */
  public static GossipAgentConfig lan(String name, String host, int port, Map<String, String> tags, Keyring keyring) {
    return new GossipAgentConfig(name, host, port, null, tags, GossipConfig.lan(), keyring,
        keyring.isEmpty() ? EncryptionMode.PLAINTEXT : EncryptionMode.ENFORCED);
  }

  public GossipAgentConfig withGossip(GossipConfig config) {
    return new GossipAgentConfig(name, bindHost, bindPort, advertiseHost, tags, config, keyring, encryption);
  }

  public GossipAgentConfig withEncryption(EncryptionMode mode) {
    return new GossipAgentConfig(name, bindHost, bindPort, advertiseHost, tags, gossip, keyring, mode);
  }
}
