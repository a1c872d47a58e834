package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.CheckRules;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;

/**
 * Maintenance mode as Consul does it: a check that nothing runs, in MAINTENANCE, on the node
 * ("_node_maintenance") or on one service ("_service_maintenance:ID"). It is an API-registered
 * check like any other, so it is persisted and synced; its definition has no target.
 */
final class Maintenance {
    static final String NODE_CHECK = "_node_maintenance";
    static final String SERVICE_PREFIX = "_service_maintenance:";
    static final String TYPE = "maintenance";

    private Maintenance() {}

    static String checkId(String serviceId) {
        return serviceId.isEmpty() ? NODE_CHECK : SERVICE_PREFIX + serviceId;
    }

    static boolean isMaintenance(CheckDefinition def) {
        return def.getTargetCase() == CheckDefinition.TargetCase.TARGET_NOT_SET
                && (def.getId().equals(NODE_CHECK) || def.getId().startsWith(SERVICE_PREFIX));
    }

    static CheckDefinition definition(String serviceId, String reason) {
        if (reason.length() > CheckRules.MAX_NOTES_LENGTH) {
            throw ApiException.invalidArgument("reason", "is " + reason.length() + " characters; the limit is "
                    + CheckRules.MAX_NOTES_LENGTH);
        }
        String what = serviceId.isEmpty() ? "Node" : "Service";
        return CheckDefinition.newBuilder().setId(checkId(serviceId)).setName(what + " Maintenance Mode")
                .setNotes(reason.isEmpty() ? "Maintenance mode is enabled for this " + what.toLowerCase(java.util.Locale.ROOT)
                        : reason)
                .setServiceId(serviceId).setInitialStatus(HealthStatus.HEALTH_STATUS_MAINTENANCE).build();
    }
}
