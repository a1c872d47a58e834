package dev.meshplane.sidecar.http;

import java.util.Map;

/**
 * Who answers: the agent's node, for defaults (a session's node) and /v1/agent/self.
 *
 * @param server whether this process also runs the server role
 */
public record AgentIdentity(String nodeName, String nodeAddress, String datacenter, boolean server,
                            Map<String, String> nodeMeta, String version) {
    public AgentIdentity {
        nodeMeta = Map.copyOf(nodeMeta);
    }
}
