package dev.meshplane.controlplane;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.SessionRules;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.controlplane.leader.TombstoneReaper;
import java.time.Duration;
import dev.meshplane.controlplane.watch.WatchConfig;

/**
 * Settings of the server role.
 *
 * @param advertiseAddress the server RPC address ("host:port") other servers and agents use
 * @param limits           request limits (KV value size, ...)
 * @param watch            watch stream settings
 * @param sessionTtlMin    the shortest session TTL accepted (Consul's session_ttl_min, 10 s)
 * @param tombstoneTtl     how long KV tombstones are kept before the leader reaps them (15 min)
 * @param connect          the CA and intentions (datacenter, leaf TTL, CSR rate, default policy)
 */
public record ServerConfig(String advertiseAddress, ApiLimits limits, WatchConfig watch, Duration sessionTtlMin,
                           Duration tombstoneTtl, ConnectConfig connect) {
    /** The datacenter of a server that names none: Consul's default. */
    public static final String DEFAULT_DATACENTER = "dc1";

    /** Settings with the CA's defaults for datacenter dc1. */
    public ServerConfig(String advertiseAddress, ApiLimits limits, WatchConfig watch, Duration sessionTtlMin,
                        Duration tombstoneTtl) {
        this(advertiseAddress, limits, watch, sessionTtlMin, tombstoneTtl, ConnectConfig.defaults(DEFAULT_DATACENTER));
    }

    public ServerConfig {
        if (advertiseAddress == null || advertiseAddress.isBlank()) {
            throw new IllegalArgumentException("advertiseAddress must be set");
        }
        if (tombstoneTtl.isNegative() || tombstoneTtl.isZero()) {
            throw new IllegalArgumentException("tombstoneTtl " + tombstoneTtl + " must be positive");
        }
        if (sessionTtlMin.isNegative() || sessionTtlMin.isZero()) {
            throw new IllegalArgumentException("sessionTtlMin " + sessionTtlMin + " must be positive");
        }
        if (connect == null) {
            throw new IllegalArgumentException("connect must be set");
        }
    }

    public ServerConfig withConnect(ConnectConfig c) {
        return new ServerConfig(advertiseAddress, limits, watch, sessionTtlMin, tombstoneTtl, c);
    }

    public static ServerConfig dev(String advertiseAddress) {
        return new ServerConfig(advertiseAddress, ApiLimits.DEFAULTS, WatchConfig.DEFAULTS, SessionRules.MIN_TTL,
                TombstoneReaper.DEFAULT_TTL);
    }
}
