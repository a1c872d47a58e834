package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ListLocalChecksRequest;
import dev.meshplane.proto.v1.ListLocalChecksResponse;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.ListLocalServicesResponse;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.Service;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * /v1/agent/health/service/name/:name and /id/:id: the health of this agent's own instances as
 * load balancers probe it, in the status code (200 passing, 429 warning, 503 critical or in
 * maintenance, 404 unknown) and, with ?format=text or Accept: text/plain, as the bare status.
 */
final class AgentHealthEndpoints {
    private static final String BY_NAME = "/v1/agent/health/service/name/";
    private static final String BY_ID = "/v1/agent/health/service/id/";

    private final ApiContext c;

    private AgentHealthEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        AgentHealthEndpoints e = new AgentHealthEndpoints(c);
        router.add("GET", BY_NAME, e::byName).add("GET", BY_ID, e::byId);
    }

    private record Local(List<Service> services, List<LocalCheck> checks) {}

    private CompletableFuture<Local> local(Request r) {
        CompletableFuture<ListLocalServicesResponse> services =
                Calls.of(r, c.agent.listLocalServices(ListLocalServicesRequest.getDefaultInstance()));
        CompletableFuture<ListLocalChecksResponse> checks =
                Calls.of(r, c.agent.listLocalChecks(ListLocalChecksRequest.getDefaultInstance()));
        return services.thenCombine(checks, (s, ch) -> new Local(s.getServicesList(), ch.getChecksList()));
    }

    private CompletableFuture<Reply> byName(Request r) {
        String name = r.tail(BY_NAME);
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing service Name");
        }
        return local(r).thenApply(local -> {
            ArrayNode out = Json.array();
            String worst = null;
            for (Service s : local.services()) {
                if (s.getName().equals(name)) {
                    String status = aggregated(s.getId(), local.checks());
                    out.add(info(s, status, local.checks()));
                    worst = worst == null || code(status) > code(worst) ? status : worst;
                }
            }
            if (worst == null) {
                return answer(r, 404, "ServiceName " + name + " Not Found", out);
            }
            return answer(r, code(worst), worst, out);
        });
    }

    private CompletableFuture<Reply> byId(Request r) {
        String id = r.tail(BY_ID);
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing serviceID");
        }
        return local(r).thenApply(local -> {
            for (Service s : local.services()) {
                if (s.getId().equals(id)) {
                    String status = aggregated(id, local.checks());
                    return answer(r, code(status), status, info(s, status, local.checks()));
                }
            }
            ObjectNode missing = Json.object();
            missing.put("AggregatedStatus", "critical");
            missing.putNull("Service");
            missing.putNull("Checks");
            return answer(r, 404, "ServiceId " + id + " not found", missing);
        });
    }

    private ObjectNode info(Service s, String status, List<LocalCheck> checks) {
        ObjectNode o = Json.object();
        o.put("AggregatedStatus", status);
        ObjectNode service = ConsulJson.service(s);
        service.remove("CreateIndex");
        service.remove("ModifyIndex");
        service.put("Datacenter", c.self.datacenter());
        o.set("Service", service);
        ArrayNode list = Json.array();
        relevant(s.getId(), checks).forEach(ch -> list.add(ConsulJson.check(
                AgentCheckEndpoints.complete(ch, java.util.Map.of(s.getId(), s), c.self.nodeName()))));
        o.set("Checks", list);
        return o;
    }

    /** The instance's own checks and the node's (node maintenance takes every instance down). */
    private static List<Check> relevant(String serviceId, List<LocalCheck> checks) {
        return checks.stream().map(LocalCheck::getState)
                .filter(ch -> ch.getServiceId().isEmpty() || ch.getServiceId().equals(serviceId)).toList();
    }

    /** Consul's aggregation: maintenance over critical over warning over passing. */
    static String aggregated(String serviceId, List<LocalCheck> checks) {
        boolean maintenance = false;
        boolean critical = false;
        boolean warning = false;
        for (Check ch : relevant(serviceId, checks)) {
            HealthStatus s = ch.getStatus();
            maintenance |= s == HealthStatus.HEALTH_STATUS_MAINTENANCE;
            warning |= s == HealthStatus.HEALTH_STATUS_WARNING;
            critical |= s != HealthStatus.HEALTH_STATUS_PASSING && s != HealthStatus.HEALTH_STATUS_WARNING
                    && s != HealthStatus.HEALTH_STATUS_MAINTENANCE;
        }
        return maintenance ? "maintenance" : critical ? "critical" : warning ? "warning" : "passing";
    }

    static int code(String status) {
        return switch (status) {
            case "passing" -> 200;
            case "warning" -> 429;
            default -> 503;
        };
    }

    private static Reply answer(Request r, int status, String text, JsonNode json) {
        if (wantsText(r)) {
            return Reply.text(status, text);
        }
        return Json.reply(r, status, json);
    }

    private static boolean wantsText(Request r) {
        String accept = r.headers().get("Accept");
        if (accept != null && accept.startsWith("text/plain")) {
            return true;
        }
        return "text".equals(r.param("format"));
    }
}
