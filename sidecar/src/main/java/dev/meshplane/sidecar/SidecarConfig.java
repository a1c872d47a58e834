package dev.meshplane.sidecar;

import dev.meshplane.sidecar.agent.LocalAgentConfig;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Settings of the agent role.
 *
 * @param nodeName        this node's name in the catalog
 * @param nodeAddress     the address other nodes and clients reach this node's services on
 * @param datacenter      the datacenter the node belongs to
 * @param grpcBind        where the agent gRPC API listens (port 0 picks a free port)
 * @param writeTimeout    how long a registration waits for the servers
 * @param maxMessageBytes largest gRPC message accepted (must hold the largest KV value)
 * @param local           checks, anti-entropy, data dir and config dir
 */
public record SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                            Duration writeTimeout, int maxMessageBytes, LocalAgentConfig local) {
    /** Consul's gRPC port for agents. */
    public static final int DEFAULT_GRPC_PORT = 8502;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    public SidecarConfig {
        if (nodeName == null || nodeName.isEmpty()) {
            throw new IllegalArgumentException("nodeName must be set");
        }
        if (nodeAddress == null || nodeAddress.isEmpty()) {
            throw new IllegalArgumentException("nodeAddress must be set");
        }
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout " + writeTimeout + " must be positive");
        }
        if (maxMessageBytes < 64 * 1024) {
            throw new IllegalArgumentException("maxMessageBytes " + maxMessageBytes + " must be at least 65536");
        }
        if (local == null) {
            throw new IllegalArgumentException("local agent settings must be given");
        }
    }

    /** An agent with everything in memory, no config dir, and Consul's check and sync defaults. */
    public SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                         Duration writeTimeout, int maxMessageBytes) {
        this(nodeName, nodeAddress, datacenter, grpcBind, writeTimeout, maxMessageBytes, LocalAgentConfig.IN_MEMORY);
    }
}
