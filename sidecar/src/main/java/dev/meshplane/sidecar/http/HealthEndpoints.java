package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.ChecksInStateRequest;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceChecksRequest;
import dev.meshplane.proto.v1.ServiceQuery;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** /v1/health/*: instances with their checks, and checks by service, node and state. */
final class HealthEndpoints {
    private final ApiContext c;

    private HealthEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        HealthEndpoints e = new HealthEndpoints(c);
        router.add("GET", "/v1/health/service/", e::service)
                .add("GET", "/v1/health/checks/", e::serviceChecks)
                .add("GET", "/v1/health/node/", e::nodeChecks)
                .add("GET", "/v1/health/state/", e::state);
    }

    private CompletableFuture<Reply> service(Request r) {
        String name = r.tail("/v1/health/service/");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing service name");
        }
        ServiceQuery query = ServiceQueries.build(r, name, c.query.options(r), "Service.Tags", "Node.Meta", true);
        return ApiContext.read(r, c.catalog.serviceHealth(query), a -> a.getMeta(), a -> {
            ArrayNode out = Json.array();
            a.getEntriesList().forEach(e -> {
                ObjectNode o = Json.object();
                o.set("Node", ConsulJson.node(e.getNode()));
                o.set("Service", ConsulJson.service(e.getService()));
                o.set("Checks", checks(e.getChecksList()));
                out.add(o);
            });
            return out;
        });
    }

    private CompletableFuture<Reply> serviceChecks(Request r) {
        String name = r.tail("/v1/health/checks/");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing service name");
        }
        return ApiContext.read(r, c.catalog.serviceChecks(ServiceChecksRequest.newBuilder().setService(name)
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> checks(a.getChecksList()));
    }

    private CompletableFuture<Reply> nodeChecks(Request r) {
        String name = r.tail("/v1/health/node/");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        return ApiContext.read(r, c.catalog.getNode(GetNodeRequest.newBuilder().setNode(name)
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> checks(a.getChecksList()));
    }

    private CompletableFuture<Reply> state(Request r) {
        String state = r.tail("/v1/health/state/");
        HealthStatus status = switch (state) {
            case "any" -> HealthStatus.HEALTH_STATUS_UNSPECIFIED;
            case "passing" -> HealthStatus.HEALTH_STATUS_PASSING;
            case "warning" -> HealthStatus.HEALTH_STATUS_WARNING;
            case "critical" -> HealthStatus.HEALTH_STATUS_CRITICAL;
            case "maintenance" -> HealthStatus.HEALTH_STATUS_MAINTENANCE;
            default -> throw HttpError.badRequest("Invalid check state \"" + state
                    + "\": want any, passing, warning or critical");
        };
        return ApiContext.read(r, c.catalog.checksInState(ChecksInStateRequest.newBuilder().setState(status)
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> checks(a.getChecksList()));
    }

    static ArrayNode checks(List<Check> checks) {
        ArrayNode out = Json.array();
        checks.forEach(ch -> out.add(ConsulJson.check(ch)));
        return out;
    }
}
