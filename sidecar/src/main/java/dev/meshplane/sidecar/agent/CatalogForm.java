package dev.meshplane.sidecar.agent;

import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.checks.CheckDefinitions;

/**
 * The agent's records in the exact form the catalog stores them (minus what the catalog adds),
 * so that comparing with Catalog.GetNode is plain equality and re-sending an unchanged record is
 * a no-op on the servers.
 */
final class CatalogForm {
    private CatalogForm() {}

    static Check check(CheckDefinition def, HealthStatus status, String output) {
        String type = def.getTargetCase() == CheckDefinition.TargetCase.TARGET_NOT_SET ? Maintenance.TYPE
                : CheckDefinitions.type(def);
        Check.Builder b = Check.newBuilder().setCheckId(def.getId()).setName(def.getName()).setNotes(def.getNotes())
                .setServiceId(def.getServiceId()).setType(type).setStatus(status)
                .setOutput(output);
        if (def.hasInterval()) {
            b.setInterval(def.getInterval());
        }
        if (def.hasTimeout()) {
            b.setTimeout(def.getTimeout());
        }
        return b.build();
    }

    /** A catalog check stripped of what the catalog fills in. */
    static Check comparable(Check fromCatalog) {
        return fromCatalog.toBuilder().clearNode().clearCreateIndex().clearModifyIndex().clearServiceName()
                .clearServiceTags().build();
    }

    static Service comparable(Service fromCatalog) {
        return fromCatalog.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }

    static Node comparable(Node fromCatalog) {
        return fromCatalog.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }
}
