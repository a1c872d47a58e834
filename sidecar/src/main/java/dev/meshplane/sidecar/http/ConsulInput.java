package dev.meshplane.sidecar.http;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Weights;
import java.time.Duration;

/**
 * Consul's request documents (catalog registrations, service definitions) turned into the
 * public API's messages. Only shapes are checked here; the values are validated by the gRPC
 * service that receives them, so the rules live in one place.
 */
final class ConsulInput {
    private ConsulInput() {}

    /** A catalog registration's node part: Node, ID, Address, TaggedAddresses, NodeMeta, Datacenter. */
    static Node node(JsonIn in) {
        return Node.newBuilder()
                .setName(in.text("Node"))
                .setId(in.text("ID"))
                .setAddress(in.text("Address"))
                .setDatacenter(in.text("Datacenter"))
                .putAllTaggedAddresses(in.stringMap("TaggedAddresses"))
                .putAllMeta(in.stringMap("NodeMeta", "Meta"))
                .setModifyIndex(Math.max(0, in.integer("ModifyIndex", 0)))
                .build();
    }

    /** A service: "Service" or "Name" is the name (catalog and agent spell it differently). */
    static Service service(JsonIn in) {
        Service.Builder b = Service.newBuilder()
                .setId(in.text("ID"))
                .setName(in.text("Service", "Name"))
                .addAllTags(in.strings("Tags"))
                .setAddress(in.text("Address"))
                .setPort(in.int32("Port", 0))
                .putAllMeta(in.stringMap("Meta"))
                .setEnableTagOverride(in.bool("EnableTagOverride"))
                .setKind(in.text("Kind"))
                .setModifyIndex(Math.max(0, in.integer("ModifyIndex", 0)));
        JsonIn weights = in.object("Weights");
        if (weights != null) {
            b.setWeights(Weights.newBuilder().setPassing(weights.int32("Passing", 1))
                    .setWarning(weights.int32("Warning", 1)));
        }
        ConsulConnect.parse(in).ifPresent(b::setConnect);
        return b.build();
    }

    /** A check as the catalog records it (catalog register, txn). */
    static Check check(JsonIn in, String defaultNode) {
        Check.Builder b = Check.newBuilder()
                .setNode(in.has("Node") ? in.text("Node") : defaultNode)
                .setCheckId(in.text("CheckID", "ID"))
                .setName(in.text("Name"))
                .setNotes(in.text("Notes"))
                .setOutput(in.text("Output"))
                .setServiceId(in.text("ServiceID"))
                .setType(in.text("Type"))
                .setModifyIndex(Math.max(0, in.integer("ModifyIndex", 0)));
        String status = in.text("Status");
        if (!status.isEmpty()) {
            b.setStatus(status(status, in.path().isEmpty() ? "Status" : in.path() + ".Status"));
        }
        JsonIn definition = in.object("Definition");
        if (definition != null) {
            Duration interval = definition.duration("Interval");
            Duration timeout = definition.duration("Timeout");
            if (interval != null) {
                b.setInterval(Durations.toProto(interval));
            }
            if (timeout != null) {
                b.setTimeout(Durations.toProto(timeout));
            }
        }
        return b.build();
    }

    static HealthStatus status(String status, String field) {
        return switch (status) {
            case "passing" -> HealthStatus.HEALTH_STATUS_PASSING;
            case "warning" -> HealthStatus.HEALTH_STATUS_WARNING;
            case "critical" -> HealthStatus.HEALTH_STATUS_CRITICAL;
            case "maintenance" -> HealthStatus.HEALTH_STATUS_MAINTENANCE;
            default -> throw HttpError.badRequest(field + ": \"" + status
                    + "\" is not a check status (passing, warning, critical or maintenance)");
        };
    }
}
