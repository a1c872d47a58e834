package dev.meshplane.controlplane;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.controlplane.watch.WatchConfig;

/**
 * Settings of the server role.
 *
 * @param advertiseAddress the server RPC address ("host:port") other servers and agents use
 * @param limits           request limits (KV value size, ...)
 * @param watch            watch stream settings
 */
public record ServerConfig(String advertiseAddress, ApiLimits limits, WatchConfig watch) {
    public ServerConfig {
        if (advertiseAddress == null || advertiseAddress.isBlank()) {
            throw new IllegalArgumentException("advertiseAddress must be set");
        }
    }

    public static ServerConfig dev(String advertiseAddress) {
        return new ServerConfig(advertiseAddress, ApiLimits.DEFAULTS, WatchConfig.DEFAULTS);
    }
}
