package dev.meshplane.sidecar.membership;

import dev.meshplane.sidecar.gossip.MemberTags;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tags an agent gossips about itself: role ("server" or "node", as Consul's members output
 * says), datacenter, the server RPC port on servers, the build version, and this agent's gRPC API
 * port (so that another agent can fan a keyring operation out to it).
 */
public final class AgentTags {
    /** The agent gRPC API port; keyring fan-out calls it at the member's gossip host. */
    public static final String GRPC_PORT = "grpc_port";
    public static final String ROLE_SERVER = "server";
    public static final String ROLE_NODE = "node";

    private AgentTags() {}

    /** @param rpcPort the server RPC port, or 0 on an agent without a server role */
    public static Map<String, String> of(boolean server, String datacenter, int rpcPort, String build, int grpcPort) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(MemberTags.ROLE, server ? ROLE_SERVER : ROLE_NODE);
        tags.put(MemberTags.DATACENTER, datacenter);
        if (server) {
            tags.put(MemberTags.RPC_PORT, String.valueOf(rpcPort));
        }
        tags.put(MemberTags.BUILD, build);
        if (grpcPort > 0) {
            tags.put(GRPC_PORT, String.valueOf(grpcPort));
        }
        return MemberTags.validate(tags);
    }
}
