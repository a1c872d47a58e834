package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PoolMember;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * GET /v1/agent/self: who this agent is, with its own entries of the LAN pool (and, on a server,
 * the WAN pool) as gossip advertises them: the real addresses and ports, not the defaults. An
 * agent without gossip (-serf-lan-port -1) reports its node address, port 0 and no serf
 * addresses.
 */
final class AgentSelf {
    private final ApiContext c;

    AgentSelf(ApiContext c) {
        this.c = c;
    }

    CompletableFuture<Reply> handle(Request r) {
        AgentIdentity self = c.self;
        CompletableFuture<Optional<PoolMember>> lan = ownEntry(r, false, self.nodeName());
        CompletableFuture<Optional<PoolMember>> wan = self.server()
                ? ownEntry(r, true, self.nodeName() + "." + self.datacenter())
                : CompletableFuture.completedFuture(Optional.empty());
        return lan.thenCombine(wan, (l, w) -> Json.reply(r, json(self, l, w)));
    }

    /** This agent's entry in a pool; empty when it runs no such pool (FAILED_PRECONDITION) or it fails. */
    private CompletableFuture<Optional<PoolMember>> ownEntry(Request r, boolean wan, String name) {
        return Calls.of(r, c.agent.members(MembersRequest.newBuilder().setWan(wan).build())).handle((members, err) ->
                err != null ? Optional.empty()
                        : members.getMembersList().stream().filter(m -> m.getName().equals(name)).findFirst());
    }

    static ObjectNode json(AgentIdentity self, Optional<PoolMember> lan, Optional<PoolMember> wan) {
        ObjectNode config = Json.object();
        config.put("Datacenter", self.datacenter());
        config.put("PrimaryDatacenter", self.datacenter());
        config.put("NodeName", self.nodeName());
        config.put("NodeID", "");
        config.put("Server", self.server());
        config.put("Version", self.version());
        config.put("Revision", "");

        ObjectNode member = Json.object();
        member.put("Name", self.nodeName());
        if (lan.isPresent()) {
            MemberEndpoints.consulMember(member, lan.get());
        } else {
            member.put("Addr", self.nodeAddress());
            // No gossip: no serf port to report.
            member.put("Port", 0);
            ObjectNode tags = Json.object();
            tags.put("dc", self.datacenter());
            tags.put("role", self.server() ? "consul" : "node");
            member.set("Tags", tags);
            // 1 is serf's "alive": the agent answering is alive.
            member.put("Status", 1);
        }

        // The subset of Consul's DebugConfig that tools read to find an agent's gossip addresses.
        ObjectNode debug = Json.object();
        debug.put("AdvertiseAddrLAN", self.nodeAddress());
        debug.put("AdvertiseAddrWAN", wan.map(PoolMember::getAddress).orElse(self.nodeAddress()));
        lan.ifPresent(m -> {
            debug.put("SerfAdvertiseAddrLAN", "tcp://" + hostPort(m));
            debug.put("SerfPortLAN", m.getPort());
        });
        wan.ifPresent(m -> {
            debug.put("SerfAdvertiseAddrWAN", "tcp://" + hostPort(m));
            debug.put("SerfPortWAN", m.getPort());
        });

        ObjectNode out = Json.object();
        out.set("Config", config);
        out.set("DebugConfig", debug);
        out.set("Member", member);
        out.set("Meta", Json.stringMap(self.nodeMeta()));
        return out;
    }

    private static String hostPort(PoolMember m) {
        String host = m.getAddress().contains(":") ? "[" + m.getAddress() + "]" : m.getAddress();
        return host + ":" + m.getPort();
    }
}
