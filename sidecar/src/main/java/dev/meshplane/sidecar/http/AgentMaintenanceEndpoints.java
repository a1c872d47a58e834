package dev.meshplane.sidecar.http;

import dev.meshplane.proto.v1.ReloadRequest;
import dev.meshplane.proto.v1.SetMaintenanceRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Maintenance mode of a service or of the whole node, and re-reading the config dir, onto the
 * agent's SetMaintenance and Reload RPCs.
 */
final class AgentMaintenanceEndpoints {
    private static final String SERVICE = "/v1/agent/service/maintenance/";

    private final ApiContext c;

    private AgentMaintenanceEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        AgentMaintenanceEndpoints e = new AgentMaintenanceEndpoints(c);
        router.add("PUT", SERVICE, e::service)
                .add("PUT", "/v1/agent/maintenance", e::node)
                .add("PUT", "/v1/agent/reload", e::reload);
    }

    private CompletableFuture<Reply> service(Request r) {
        String id = r.tail(SERVICE);
        if (id.isEmpty()) {
            throw HttpError.badRequest("Missing service ID");
        }
        return set(r, id);
    }

    private CompletableFuture<Reply> node(Request r) {
        return set(r, "");
    }

    private CompletableFuture<Reply> set(Request r, String serviceId) {
        boolean enable = enableParam(r);
        String reason = r.param("reason");
        SetMaintenanceRequest request = SetMaintenanceRequest.newBuilder().setServiceId(serviceId).setEnable(enable)
                .setReason(reason == null ? "" : reason).build();
        return Calls.of(r, c.agent.setMaintenance(request)).thenApply(a -> Reply.empty());
    }

    private CompletableFuture<Reply> reload(Request r) {
        return Calls.of(r, c.agent.reload(ReloadRequest.getDefaultInstance())).thenApply(a -> Reply.empty());
    }

    /** ?enable is required and read as Go's strconv.ParseBool reads it, as Consul does. */
    static boolean enableParam(Request r) {
        if (!r.has("enable")) {
            throw HttpError.badRequest("Missing value for enable");
        }
        String raw = r.param("enable");
        return switch (raw == null ? "" : raw) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw HttpError.badRequest("Invalid value for enable: \"" + raw
                    + "\" (want true or false)");
        };
    }
}
