package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import java.util.concurrent.CompletableFuture;

/**
 * /v1/agent/*: the node's own services, onto this agent's Agent service (in-process). The check
 * endpoints, maintenance, reload, members, join and leave wait for the agent RPCs and gossip
 * that implement them.
 */
final class AgentEndpoints {
    private final ApiContext c;

    private AgentEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        AgentEndpoints e = new AgentEndpoints(c);
        router.add("PUT", "/v1/agent/service/register", e::registerService)
                .add("PUT", "/v1/agent/service/deregister/", e::deregisterService)
                .add("GET", "/v1/agent/services", e::services)
                .add("GET", "/v1/agent/service/", e::service)
                .add("GET", "/v1/agent/self", new AgentSelf(c)::handle);
        MemberEndpoints.register(router, c);
    }

    private CompletableFuture<Reply> registerService(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        RegisterServiceRequest.Builder b = RegisterServiceRequest.newBuilder()
                .setService(ConsulInput.service(body).toBuilder().setModifyIndex(0))
                .addAllChecks(CheckDefinitions.fromService(body));
        if (r.has("replace-existing-checks")) {
            String v = r.param("replace-existing-checks");
            b.setReplaceExistingChecks(v == null || v.isEmpty() || !v.equalsIgnoreCase("false"));
        }
        return Calls.of(r, c.agent.registerService(b.build())).thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> deregisterService(Request r) {
        c.query.checkDatacenter(r);
        String id = r.tail("/v1/agent/service/deregister/");
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing service ID");
        }
        return Calls.of(r, c.agent.deregisterService(DeregisterServiceRequest.newBuilder().setServiceId(id).build()))
                .thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> services(Request r) {
        if (r.param("filter") != null) {
            throw HttpError.badRequest("filter: not supported on /v1/agent/services yet");
        }
        return Calls.of(r, c.agent.listLocalServices(ListLocalServicesRequest.getDefaultInstance())).thenApply(a -> {
            ObjectNode out = Json.object();
            a.getServicesList().forEach(s -> out.set(s.getId(), agentService(s)));
            return Json.reply(r, out);
        });
    }

    private CompletableFuture<Reply> service(Request r) {
        String id = r.tail("/v1/agent/service/");
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing service ID");
        }
        return Calls.of(r, c.agent.listLocalServices(ListLocalServicesRequest.getDefaultInstance())).thenApply(a -> {
            for (Service s : a.getServicesList()) {
                if (s.getId().equals(id)) {
                    ObjectNode out = agentService(s);
                    String hash = Integer.toHexString(s.hashCode());
                    out.put("ContentHash", hash);
                    return Json.reply(r, out).withHeader("X-Consul-ContentHash", hash);
                }
            }
            throw HttpError.notFound("unknown service ID: " + id);
        });
    }

    /** A service as /v1/agent/services shows it (no catalog indexes; the agent's datacenter). */
    private ObjectNode agentService(Service s) {
        ObjectNode o = ConsulJson.service(s);
        o.remove("CreateIndex");
        o.remove("ModifyIndex");
        o.put("Datacenter", c.self.datacenter());
        return o;
    }
}
