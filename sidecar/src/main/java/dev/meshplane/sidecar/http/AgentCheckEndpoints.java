package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.CheckRules;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.DeregisterCheckRequest;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ListLocalChecksRequest;
import dev.meshplane.proto.v1.ListLocalChecksResponse;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.ListLocalServicesResponse;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.RegisterCheckRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * /v1/agent/checks and /v1/agent/check/*: this agent's own checks, onto its Agent service
 * (in-process). The definitions are read like the "Check" of a service registration and
 * validated by the agent, the same way as the checks of the config dir.
 */
final class AgentCheckEndpoints {
    private static final String DEREGISTER = "/v1/agent/check/deregister/";
    private static final String PASS = "/v1/agent/check/pass/";
    private static final String WARN = "/v1/agent/check/warn/";
    private static final String FAIL = "/v1/agent/check/fail/";
    private static final String UPDATE = "/v1/agent/check/update/";

    private final ApiContext c;

    private AgentCheckEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        AgentCheckEndpoints e = new AgentCheckEndpoints(c);
        router.add("GET", "/v1/agent/checks", e::checks)
                .add("PUT", "/v1/agent/check/register", e::register)
                .add("PUT", DEREGISTER, e::deregister)
                .add("PUT", PASS, r -> e.ttl(r, PASS, HealthStatus.HEALTH_STATUS_PASSING, noteOf(r)))
                .add("PUT", WARN, r -> e.ttl(r, WARN, HealthStatus.HEALTH_STATUS_WARNING, noteOf(r)))
                .add("PUT", FAIL, r -> e.ttl(r, FAIL, HealthStatus.HEALTH_STATUS_CRITICAL, noteOf(r)))
                .add("PUT", UPDATE, e::update);
    }

    private CompletableFuture<Reply> checks(Request r) {
        if (r.param("filter") != null) {
            throw HttpError.badRequest("filter: not supported on /v1/agent/checks yet");
        }
        CompletableFuture<ListLocalServicesResponse> services =
                Calls.of(r, c.agent.listLocalServices(ListLocalServicesRequest.getDefaultInstance()));
        CompletableFuture<ListLocalChecksResponse> checks =
                Calls.of(r, c.agent.listLocalChecks(ListLocalChecksRequest.getDefaultInstance()));
        return services.thenCombine(checks, (s, a) -> {
            Map<String, Service> byId = new HashMap<>();
            s.getServicesList().forEach(svc -> byId.put(svc.getId(), svc));
            ObjectNode out = Json.object();
            for (LocalCheck ch : a.getChecksList()) {
                out.set(ch.getState().getCheckId(), ConsulJson.check(complete(ch.getState(), byId, c.self.nodeName())));
            }
            return Json.reply(r, out);
        });
    }

    /**
     * The agent's own record of a check may lack the node and its service's name and tags until
     * it is synced; Consul's agent endpoints always show them.
     */
    static Check complete(Check check, Map<String, Service> services, String node) {
        Check.Builder b = check.toBuilder();
        if (check.getNode().isEmpty()) {
            b.setNode(node);
        }
        Service s = services.get(check.getServiceId());
        if (s != null && check.getServiceName().isEmpty()) {
            b.setServiceName(s.getName()).clearServiceTags().addAllServiceTags(s.getTagsList());
        }
        return b.build();
    }

    private CompletableFuture<Reply> register(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        // Consul's agent insists on a name here (a config-file check may do without one).
        if (body.text("Name").isEmpty()) {
            throw HttpError.badRequest("Missing check name");
        }
        CheckDefinition def = CheckDefinitions.definition(body);
        return Calls.of(r, c.agent.registerCheck(RegisterCheckRequest.newBuilder().setCheck(def).build()))
                .thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> deregister(Request r) {
        String id = checkId(r, DEREGISTER);
        return Calls.of(r, c.agent.deregisterCheck(DeregisterCheckRequest.newBuilder().setCheckId(id).build()))
                .thenApply(a -> Reply.empty());
    }

    /** PUT /v1/agent/check/update/:id with {"Status", "Output"}: the body form of pass/warn/fail. */
    private CompletableFuture<Reply> update(Request r) {
        JsonIn body = JsonIn.parseObject(r.body());
        String status = body.text("Status");
        HealthStatus s = switch (status) {
            case "passing" -> HealthStatus.HEALTH_STATUS_PASSING;
            case "warning" -> HealthStatus.HEALTH_STATUS_WARNING;
            case "critical" -> HealthStatus.HEALTH_STATUS_CRITICAL;
            default -> throw HttpError.badRequest("Invalid check status: '" + status
                    + "' (want passing, warning or critical)");
        };
        return ttl(r, UPDATE, s, body.text("Output"));
    }

    private CompletableFuture<Reply> ttl(Request r, String prefix, HealthStatus status, String output) {
        String id = checkId(r, prefix);
        UpdateTtlRequest update = UpdateTtlRequest.newBuilder().setCheckId(id).setStatus(status)
                .setOutput(truncate(output)).build();
        return Calls.of(r, c.agent.updateTtl(update)).thenApply(a -> Reply.empty());
    }

    private static String noteOf(Request r) {
        String note = r.param("note");
        return note == null ? "" : note;
    }

    private static String checkId(Request r, String prefix) {
        String id = r.tail(prefix);
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing check ID");
        }
        return id;
    }

    /**
     * Consul keeps the head of an over-long TTL output and says so rather than refusing the
     * update: a refused heartbeat would let the check expire into critical.
     */
    static String truncate(String output) {
        int max = CheckRules.MAX_OUTPUT_LENGTH;
        if (output.length() <= max) {
            return output;
        }
        String template = "\n...\nCaptured %d of %d characters";
        int kept = max - String.format(template, max, output.length()).length();
        return output.substring(0, kept) + String.format(template, kept, output.length());
    }
}
