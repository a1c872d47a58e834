package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.JoinRequest;
import dev.meshplane.proto.v1.LeaveRequest;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.sidecar.gossip.MemberTags;
import dev.meshplane.sidecar.membership.AgentTags;
import dev.meshplane.sidecar.membership.MemberStatusNames;
import java.util.concurrent.CompletableFuture;

/**
 * /v1/agent/members, /v1/agent/join/:address and /v1/agent/leave, onto the Agent service's
 * Members, Join and Leave calls.
 */
final class MemberEndpoints {
    private final ApiContext c;

    private MemberEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        MemberEndpoints e = new MemberEndpoints(c);
        router.add("GET", "/v1/agent/members", e::members)
                .add("PUT", "/v1/agent/join/", e::join)
                .add("PUT", "/v1/agent/leave", e::leave);
    }

    private static boolean wan(Request r) {
        String v = r.param("wan");
        return r.has("wan") && (v == null || v.isEmpty() || v.equals("1") || v.equalsIgnoreCase("true"));
    }

    private CompletableFuture<Reply> members(Request r) {
        return Calls.of(r, c.agent.members(MembersRequest.newBuilder().setWan(wan(r)).build())).thenApply(a -> {
            ArrayNode out = Json.array();
            for (PoolMember m : a.getMembersList()) {
                ObjectNode o = out.addObject();
                o.put("Name", m.getName());
                consulMember(o, m);
            }
            return Json.reply(r, out);
        });
    }

    /** Addr, Port, Tags and Status of a member as Consul shows them (also /v1/agent/self's Member). */
    static void consulMember(ObjectNode o, PoolMember m) {
        o.put("Addr", m.getAddress());
        o.put("Port", m.getPort());
        ObjectNode tags = Json.stringMap(m.getTagsMap());
        // Consul's servers carry role=consul; tools look for it.
        if (AgentTags.ROLE_SERVER.equals(m.getTagsOrDefault(MemberTags.ROLE, ""))) {
            tags.put(MemberTags.ROLE, "consul");
        }
        o.set("Tags", tags);
        o.put("Status", MemberStatusNames.code(m.getStatus()));
    }

    private CompletableFuture<Reply> join(Request r) {
        String address = r.tail("/v1/agent/join/");
        if (address.isEmpty()) {
            throw HttpError.badRequest("Missing address to join");
        }
        return Calls.of(r, c.agent.join(JoinRequest.newBuilder().addAddresses(address).setWan(wan(r)).build()))
                .thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> leave(Request r) {
        return Calls.of(r, c.agent.leave(LeaveRequest.getDefaultInstance())).thenApply(a -> Reply.empty());
    }
}
