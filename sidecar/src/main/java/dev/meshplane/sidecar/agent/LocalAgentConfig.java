package dev.meshplane.sidecar.agent;

import dev.meshplane.sidecar.checks.ChecksConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the agent's local state: its checks, its sync with the catalog, where it keeps
 * state and where it reads definitions.
 *
 * @param checks       how checks run
 * @param sync         how the catalog is kept in step
 * @param reapInterval how often services whose check stayed critical past
 *                     deregister_critical_service_after are removed (Consul: 30 s)
 * @param dataDir      where services and check states are persisted; null keeps them in memory (-dev)
 * @param configDir    directory of JSON definitions; null for none
 */
public record LocalAgentConfig(ChecksConfig checks, SyncConfig sync, Duration reapInterval, Path dataDir,
                               Path configDir) {
    public static final Duration DEFAULT_REAP_INTERVAL = Duration.ofSeconds(30);

    public static final LocalAgentConfig IN_MEMORY =
            new LocalAgentConfig(ChecksConfig.DEFAULTS, SyncConfig.DEFAULTS, DEFAULT_REAP_INTERVAL, null, null);

    public LocalAgentConfig {
        if (checks == null || sync == null) {
            throw new IllegalArgumentException("checks and sync settings must be given");
        }
        if (reapInterval == null || reapInterval.isNegative() || reapInterval.isZero()) {
            throw new IllegalArgumentException("reapInterval " + reapInterval + " must be positive");
        }
    }

    public LocalAgentConfig withDataDir(Path dir) {
        return new LocalAgentConfig(checks, sync, reapInterval, dir, configDir);
    }

    public LocalAgentConfig withConfigDir(Path dir) {
        return new LocalAgentConfig(checks, sync, reapInterval, dataDir, dir);
    }

    public LocalAgentConfig withChecks(ChecksConfig c) {
        return new LocalAgentConfig(c, sync, reapInterval, dataDir, configDir);
    }

    public LocalAgentConfig withSync(SyncConfig s) {
        return new LocalAgentConfig(checks, s, reapInterval, dataDir, configDir);
    }

    public LocalAgentConfig withReapInterval(Duration d) {
        return new LocalAgentConfig(checks, sync, d, dataDir, configDir);
    }
}
