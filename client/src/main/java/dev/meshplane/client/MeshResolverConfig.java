package dev.meshplane.client;

import java.time.Duration;

/**
 * Settings of the {@code mesh:///} resolver; every default in {@link #defaults()}.
 *
 * @param sidecarAddress the local sidecar's gRPC address, host:port
 * @param includeWarning whether instances whose worst check is warning receive calls
 * @param maxBackoff     the longest wait between attempts to re-subscribe after the stream ended
 */
public record MeshResolverConfig(String sidecarAddress, boolean includeWarning, Duration maxBackoff) {
    /** Where the sidecar listens unless MESH_GRPC_ADDR says otherwise (Consul's agent gRPC port). */
    public static final String DEFAULT_SIDECAR_ADDRESS = "127.0.0.1:8502";

    public MeshResolverConfig {
        if (sidecarAddress == null || sidecarAddress.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("sidecarAddress \"" + sidecarAddress + "\" is not HOST:PORT");
        }
        if (maxBackoff == null || maxBackoff.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " must be at least 100ms");
        }
    }

    public static MeshResolverConfig defaults() {
        String env = System.getenv("MESH_GRPC_ADDR");
        return new MeshResolverConfig(
                env == null || env.isBlank() ? DEFAULT_SIDECAR_ADDRESS : env, // as meshctl finds its agent
                true,                                                          // as the xDS server: warning serves
                Duration.ofSeconds(30));                                       // as the agent's own retries
    }

    public MeshResolverConfig withSidecarAddress(String address) {
        return new MeshResolverConfig(address, includeWarning, maxBackoff);
    }
}
