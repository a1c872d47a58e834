package dev.meshplane.api;

import java.util.List;
import java.util.Map;

/**
 * The retry policy Meshplane's own clients (the CLI, agents talking to servers) use: a call
 * answered UNAVAILABLE — no leader yet, a leader change before commit, a server restarting — is
 * retried with exponential back-off. Writes whose outcome is unknown are answered ABORTED, which
 * is never retried automatically.
 */
public final class ClientRetry {
    private ClientRetry() {}

    /** A gRPC service config (for {@code ManagedChannelBuilder.defaultServiceConfig}). */
    public static Map<String, ?> serviceConfig() {
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", 5.0,
                "initialBackoff", "0.2s",
                "maxBackoff", "3s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        return Map.of("methodConfig", List.of(Map.of("name", List.of(Map.of()), "retryPolicy", retryPolicy)));
    }
}
