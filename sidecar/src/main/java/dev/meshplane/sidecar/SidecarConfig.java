package dev.meshplane.sidecar;

import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.dns.DnsConfig;
import dev.meshplane.sidecar.http.HttpConfig;
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
 * @param serverRole      whether this process also runs the server role (reported by /v1/agent/self)
 * @param http            the Consul-compatible HTTP API, or null for none
 * @param dns             the DNS interface, or null for none
 * @param gossip          whether this agent runs gossip: then the leader's membership reconciler owns the
 *                        node's {@code serfHealth} check and the agent registers its node without it;
 *                        without gossip nobody watches the node from outside, so the agent asserts a
 *                        passing {@code serfHealth} itself (sessions need one)
 */
public record SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                            Duration writeTimeout, int maxMessageBytes, LocalAgentConfig local, boolean serverRole,
                            HttpConfig http, DnsConfig dns, boolean gossip) {
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
        if (http != null && http.maxBodyBytes() > maxMessageBytes) {
            throw new IllegalArgumentException("http.maxBodyBytes " + http.maxBodyBytes()
                    + " must not exceed maxMessageBytes " + maxMessageBytes);
        }
    }

    /** Without gossip: the agent asserts its own node's serfHealth. */
    public SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                         Duration writeTimeout, int maxMessageBytes, LocalAgentConfig local, boolean serverRole,
                         HttpConfig http, DnsConfig dns) {
        this(nodeName, nodeAddress, datacenter, grpcBind, writeTimeout, maxMessageBytes, local, serverRole, http, dns,
                false);
    }

    /** An agent with everything in memory, no config dir, Consul's check and sync defaults; gRPC API only. */
    public SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                         Duration writeTimeout, int maxMessageBytes) {
        this(nodeName, nodeAddress, datacenter, grpcBind, writeTimeout, maxMessageBytes, LocalAgentConfig.IN_MEMORY);
    }

    /** The agent gRPC API only: no HTTP API, no DNS. */
    public SidecarConfig(String nodeName, String nodeAddress, String datacenter, InetSocketAddress grpcBind,
                         Duration writeTimeout, int maxMessageBytes, LocalAgentConfig local) {
        this(nodeName, nodeAddress, datacenter, grpcBind, writeTimeout, maxMessageBytes, local, false, null, null);
    }
}
