package dev.meshplane.cli;

import dev.meshplane.controlplane.cluster.ServerDiscovery;
import dev.meshplane.sidecar.gossip.GossipConfig;
import java.time.Duration;
import java.util.List;

/**
 * The agent's gossip flags.
 *
 * @param lanPort    LAN pool port (UDP and TCP) on -bind; 0 picks a free port, -1 disables gossip
 * @param wanPort    WAN pool port for servers; 0 picks a free port, -1 runs no WAN pool
 * @param encryptKey base64 AES key (16, 24 or 32 bytes) sealing both pools, or null for plaintext
 * @param lan        the LAN protocol tunables (memberlist's LAN preset unless a test asks otherwise)
 * @param wan        the WAN protocol tunables
 * @param deadServerGrace how long a server's member stays failed before the leader removes it from
 *                   Raft (when the remaining voters keep a quorum)
 * @param advertiseWan the IP the WAN pool advertises (-advertise-wan), or null for the agent's
 *                   -advertise address
 * @param retryJoinWan servers: WAN gossip addresses to join with back-off (-retry-join-wan)
 */
record GossipSettings(int lanPort, int wanPort, String encryptKey, GossipConfig lan, GossipConfig wan,
                      Duration deadServerGrace, String advertiseWan, List<String> retryJoinWan) {
    /** Consul's ports: 8301 LAN, 8302 WAN. */
    static final int DEFAULT_LAN_PORT = 8301;
    static final int DEFAULT_WAN_PORT = 8302;
    /** No gossip at all (in-process test agents unless they ask for it). */
    static final GossipSettings DISABLED = new GossipSettings(-1, -1, null, GossipConfig.lan(), GossipConfig.wan(),
            ServerDiscovery.DEFAULT_DEAD_SERVER_GRACE, null, List.of());

    GossipSettings {
        if (lanPort < -1 || lanPort > 65535) {
            throw new IllegalArgumentException("-serf-lan-port " + lanPort + " must be -1 (off), 0 (any) or 1..65535");
        }
        if (wanPort < -1 || wanPort > 65535) {
            throw new IllegalArgumentException("-serf-wan-port " + wanPort + " must be -1 (off), 0 (any) or 1..65535");
        }
        if (deadServerGrace == null || deadServerGrace.isNegative()) {
            throw new IllegalArgumentException("-dead-server-grace " + deadServerGrace + " must not be negative");
        }
        if (lan == null || wan == null) {
            throw new IllegalArgumentException("gossip presets must be given");
        }
        retryJoinWan = List.copyOf(retryJoinWan);
    }

    /** Free ports for both pools with the given protocol settings (tests). */
    static GossipSettings anyPorts(GossipConfig config) {
        return new GossipSettings(0, 0, null, config, config, ServerDiscovery.DEFAULT_DEAD_SERVER_GRACE, null,
                List.of());
    }

    boolean enabled() {
        return lanPort >= 0;
    }

    GossipSettings withKey(String key) {
        return new GossipSettings(lanPort, wanPort, key, lan, wan, deadServerGrace, advertiseWan, retryJoinWan);
    }

    /** The same, advertising {@code ip} in the WAN pool and joining {@code wanSeeds} there. */
    GossipSettings withWan(String ip, List<String> wanSeeds) {
        return new GossipSettings(lanPort, wanPort, encryptKey, lan, wan, deadServerGrace, ip, wanSeeds);
    }
}
