package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Intentions in Consul's JSON, and Consul's intention documents read back. */
final class IntentionJson {
    private IntentionJson() {}

    /**
     * Meshplane keys an intention by (source, destination) and stores no ID. Consul's legacy
     * endpoints name intentions by UUID, so each pair gets a stable name-based one (RFC 4122
     * version 3): the same pair always has the same ID, on every agent.
     */
    static String id(String source, String destination) {
        return UUID.nameUUIDFromBytes(("meshplane-intention\0" + source + "\0" + destination)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    static ObjectNode intention(Intention i) {
        ObjectNode o = Json.object();
        o.put("ID", id(i.getSourceName(), i.getDestinationName()));
        o.put("Description", i.getDescription());
        o.put("SourceNS", "default");
        o.put("SourceName", i.getSourceName());
        o.put("DestinationNS", "default");
        o.put("DestinationName", i.getDestinationName());
        o.put("SourceType", "consul");
        o.put("Action", action(i.getAction()));
        o.put("Precedence", i.getPrecedence());
        o.set("Meta", Json.object());
        o.put("CreateIndex", i.getCreateIndex());
        o.put("ModifyIndex", i.getModifyIndex());
        return o;
    }

    static ArrayNode intentions(List<Intention> list) {
        ArrayNode out = Json.array();
        list.forEach(i -> out.add(intention(i)));
        return out;
    }

    static String action(IntentionAction a) {
        return switch (a) {
            case INTENTION_ACTION_ALLOW -> "allow";
            case INTENTION_ACTION_DENY -> "deny";
            case INTENTION_ACTION_UNSPECIFIED, UNRECOGNIZED -> "";
        };
    }

    /**
     * The writable part of an intention document: Action and Description. L7 Permissions, a
     * non-default namespace or another SourceType are refused by name rather than dropped.
     */
    static Intention.Builder body(JsonIn in) {
        String action = in.text("Action");
        IntentionAction a = switch (action) {
            case "allow" -> IntentionAction.INTENTION_ACTION_ALLOW;
            case "deny" -> IntentionAction.INTENTION_ACTION_DENY;
            default -> throw HttpError.badRequest("Action must be set to 'allow' or 'deny' (got \"" + action + "\")");
        };
        if (!in.objects("Permissions").isEmpty()) {
            throw HttpError.badRequest("Permissions: L7 intentions are not supported; give an Action only");
        }
        for (String ns : List.of("SourceNS", "DestinationNS")) {
            String v = in.text(ns);
            if (!v.isEmpty() && !v.equals("default")) {
                throw HttpError.badRequest(ns + ": \"" + v + "\": only the \"default\" namespace exists");
            }
        }
        String type = in.text("SourceType");
        if (!type.isEmpty() && !type.equals("consul")) {
            throw HttpError.badRequest("SourceType: \"" + type + "\": only \"consul\" sources are supported");
        }
        return Intention.newBuilder().setAction(a).setDescription(in.text("Description"));
    }
}
