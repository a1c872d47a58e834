package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionBehavior;
import dev.meshplane.proto.v1.Weights;
import java.util.Base64;

/** The catalog, KV and session records in the JSON shapes and field names Consul answers with. */
final class ConsulJson {
    private ConsulJson() {}

    static ObjectNode node(Node n) {
        ObjectNode o = Json.object();
        o.put("ID", n.getId());
        o.put("Node", n.getName());
        o.put("Address", n.getAddress());
        o.put("Datacenter", n.getDatacenter());
        o.set("TaggedAddresses", Json.stringMap(n.getTaggedAddressesMap()));
        o.set("Meta", Json.stringMap(n.getMetaMap()));
        o.put("CreateIndex", n.getCreateIndex());
        o.put("ModifyIndex", n.getModifyIndex());
        return o;
    }

    /** A service as the agent and health endpoints show it. */
    static ObjectNode service(Service s) {
        ObjectNode o = Json.object();
        if (!s.getKind().isEmpty()) {
            o.put("Kind", s.getKind());
        }
        o.put("ID", s.getId());
        o.put("Service", s.getName());
        o.set("Tags", Json.strings(s.getTagsList()));
        o.put("Address", s.getAddress());
        o.set("Meta", Json.stringMap(s.getMetaMap()));
        o.put("Port", s.getPort());
        o.set("Weights", weights(s.getWeights()));
        o.put("EnableTagOverride", s.getEnableTagOverride());
        if (s.hasConnect()) {
            o.set("Connect", connect(s.getConnect()));
        }
        o.put("CreateIndex", s.getCreateIndex());
        o.put("ModifyIndex", s.getModifyIndex());
        return o;
    }

    /** The Connect block as Consul shows it in a service definition. */
    static ObjectNode connect(ServiceConnect c) {
        ObjectNode o = Json.object();
        if (c.getNative()) {
            o.put("Native", true);
        }
        if (c.hasSidecarService()) {
            ObjectNode sidecar = Json.object();
            sidecar.put("Port", c.getSidecarService().getPort());
            var p = c.getSidecarService().getProxy();
            ObjectNode proxy = Json.object();
            proxy.put("LocalServiceAddress", p.getLocalServiceAddress());
            proxy.put("LocalServicePort", p.getLocalServicePort());
            var ups = Json.array();
            p.getUpstreamsList().forEach(u -> {
                ObjectNode up = Json.object();
                up.put("DestinationName", u.getDestinationName());
                up.put("LocalBindAddress", u.getLocalBindAddress());
                up.put("LocalBindPort", u.getLocalBindPort());
                ups.add(up);
            });
            proxy.set("Upstreams", ups);
            sidecar.set("Proxy", proxy);
            o.set("SidecarService", sidecar);
        }
        return o;
    }

    static ObjectNode weights(Weights w) {
        ObjectNode o = Json.object();
        o.put("Passing", w.getPassing() == 0 ? 1 : w.getPassing());
        o.put("Warning", w.getWarning());
        return o;
    }

    /** One row of /v1/catalog/service/:name: node and service fields flattened. */
    static ObjectNode catalogService(ServiceEntry e) {
        Node n = e.getNode();
        Service s = e.getService();
        ObjectNode o = Json.object();
        o.put("ID", n.getId());
        o.put("Node", n.getName());
        o.put("Address", n.getAddress());
        o.put("Datacenter", n.getDatacenter());
        o.set("TaggedAddresses", Json.stringMap(n.getTaggedAddressesMap()));
        o.set("NodeMeta", Json.stringMap(n.getMetaMap()));
        o.put("ServiceKind", s.getKind());
        o.put("ServiceID", s.getId());
        o.put("ServiceName", s.getName());
        o.set("ServiceTags", Json.strings(s.getTagsList()));
        o.put("ServiceAddress", s.getAddress());
        o.set("ServiceWeights", weights(s.getWeights()));
        o.set("ServiceMeta", Json.stringMap(s.getMetaMap()));
        o.put("ServicePort", s.getPort());
        o.put("ServiceEnableTagOverride", s.getEnableTagOverride());
        o.put("CreateIndex", s.getCreateIndex());
        o.put("ModifyIndex", s.getModifyIndex());
        return o;
    }

    static ObjectNode check(Check c) {
        ObjectNode o = Json.object();
        o.put("Node", c.getNode());
        o.put("CheckID", c.getCheckId());
        o.put("Name", c.getName());
        o.put("Status", status(c.getStatus()));
        o.put("Notes", c.getNotes());
        o.put("Output", c.getOutput());
        o.put("ServiceID", c.getServiceId());
        o.put("ServiceName", c.getServiceName());
        o.set("ServiceTags", Json.strings(c.getServiceTagsList()));
        o.put("Type", c.getType());
        o.put("Interval", c.hasInterval() ? GoDuration.format(Durations.toJava(c.getInterval())) : "");
        o.put("Timeout", c.hasTimeout() ? GoDuration.format(Durations.toJava(c.getTimeout())) : "");
        o.set("Definition", Json.object());
        o.put("CreateIndex", c.getCreateIndex());
        o.put("ModifyIndex", c.getModifyIndex());
        return o;
    }

    static String status(HealthStatus s) {
        return switch (s) {
            case HEALTH_STATUS_PASSING -> "passing";
            case HEALTH_STATUS_WARNING -> "warning";
            case HEALTH_STATUS_MAINTENANCE -> "maintenance";
            case HEALTH_STATUS_CRITICAL, HEALTH_STATUS_UNSPECIFIED, UNRECOGNIZED -> "critical";
        };
    }

    /** A KV entry; the value is base64 as Consul sends it, and null when empty. */
    static ObjectNode kv(KvEntry e) {
        ObjectNode o = Json.object();
        o.put("LockIndex", e.getLockIndex());
        o.put("Key", e.getKey());
        o.put("Flags", e.getFlags());
        if (e.getValue().isEmpty()) {
            o.putNull("Value");
        } else {
            o.put("Value", Base64.getEncoder().encodeToString(e.getValue().toByteArray()));
        }
        if (!e.getSession().isEmpty()) {
            o.put("Session", e.getSession());
        }
        o.put("CreateIndex", e.getCreateIndex());
        o.put("ModifyIndex", e.getModifyIndex());
        return o;
    }

    static ObjectNode session(Session s) {
        ObjectNode o = Json.object();
        o.put("ID", s.getId());
        o.put("Name", s.getName());
        o.put("Node", s.getNode());
        // Consul reports the lock delay in nanoseconds and the TTL as it was written ("10s").
        o.put("LockDelay", Durations.toJava(s.getLockDelay()).toNanos());
        o.put("Behavior", s.getBehavior() == SessionBehavior.SESSION_BEHAVIOR_DELETE ? "delete" : "release");
        o.put("TTL", s.hasTtl() && (s.getTtl().getSeconds() != 0 || s.getTtl().getNanos() != 0)
                ? GoDuration.format(Durations.toJava(s.getTtl())) : "");
        o.set("Checks", Json.strings(s.getNodeChecksList()));
        o.set("NodeChecks", Json.strings(s.getNodeChecksList()));
        var serviceChecks = Json.array();
        for (String id : s.getServiceChecksList()) {
            ObjectNode c = Json.object();
            c.put("ID", id);
            c.put("Namespace", "");
            serviceChecks.add(c);
        }
        o.set("ServiceChecks", serviceChecks);
        o.put("CreateIndex", s.getCreateIndex());
        o.put("ModifyIndex", s.getModifyIndex());
        return o;
    }
}
