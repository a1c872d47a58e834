package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.ListNodesRequest;
import dev.meshplane.proto.v1.ListServicesRequest;
import dev.meshplane.proto.v1.ServiceQuery;
import dev.meshplane.proto.v1.ServiceSummary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** /v1/catalog/*: registration and listing, onto the Catalog service. */
final class CatalogEndpoints {
    private final ApiContext c;

    private CatalogEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        CatalogEndpoints e = new CatalogEndpoints(c);
        router.add("PUT", "/v1/catalog/register", e::register)
                .add("PUT", "/v1/catalog/deregister", e::deregister)
                .add("GET", "/v1/catalog/datacenters", e::datacenters)
                .add("GET", "/v1/catalog/nodes", e::nodes)
                .add("GET", "/v1/catalog/services", e::services)
                .add("GET", "/v1/catalog/service/", e::service)
                .add("GET", "/v1/catalog/node/", e::node);
    }

    private CompletableFuture<Reply> register(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        c.query.checkDatacenter(body.text("Datacenter"));
        CatalogRegisterRequest.Builder b = CatalogRegisterRequest.newBuilder().setNode(ConsulInput.node(body)
                .toBuilder().setDatacenter(c.self.datacenter()).setModifyIndex(0));
        JsonIn service = body.object("Service");
        if (service != null) {
            b.setService(ConsulInput.service(service).toBuilder().setModifyIndex(0));
        }
        String nodeName = body.text("Node");
        JsonIn check = body.object("Check");
        if (check != null) {
            b.addChecks(ConsulInput.check(check, nodeName).toBuilder().setModifyIndex(0));
        }
        for (JsonIn each : body.objects("Checks")) {
            b.addChecks(ConsulInput.check(each, nodeName).toBuilder().setModifyIndex(0));
        }
        return ApiContext.writeTrue(r, c.catalog.register(b.build()));
    }

    private CompletableFuture<Reply> deregister(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        c.query.checkDatacenter(body.text("Datacenter"));
        return ApiContext.writeTrue(r, c.catalog.deregister(CatalogDeregisterRequest.newBuilder()
                .setNode(body.text("Node")).setServiceId(body.text("ServiceID")).setCheckId(body.text("CheckID"))
                .build()));
    }

    private CompletableFuture<Reply> datacenters(Request r) {
        // No federation yet: the local datacenter is the only one known.
        return CompletableFuture.completedFuture(Json.reply(r, Json.strings(java.util.List.of(c.self.datacenter()))));
    }

    private CompletableFuture<Reply> nodes(Request r) {
        ListNodesRequest.Builder b = ListNodesRequest.newBuilder().setOptions(c.query.options(r))
                .putAllNodeMeta(NodeMetaParams.parse(r));
        if (r.param("filter") != null) {
            b.putAllNodeMeta(FilterExpression.parse(r.param("filter"), null, "Meta").nodeMeta());
        }
        return ApiContext.read(r, c.catalog.listNodes(b.build()), a -> a.getMeta(), a -> {
            ArrayNode out = Json.array();
            a.getNodesList().forEach(n -> out.add(ConsulJson.node(n)));
            return out;
        });
    }

    private CompletableFuture<Reply> services(Request r) {
        Map<String, String> nodeMeta = NodeMetaParams.parse(r);
        if (!nodeMeta.isEmpty()) {
            throw HttpError.badRequest("node-meta: not supported on /v1/catalog/services yet; "
                    + "use /v1/catalog/service/:name?node-meta=");
        }
        return ApiContext.read(r, c.catalog.listServices(ListServicesRequest.newBuilder()
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> {
            ObjectNode out = Json.object();
            Map<String, ServiceSummary> sorted = new LinkedHashMap<>();
            a.getServicesList().forEach(s -> sorted.put(s.getName(), s));
            sorted.values().forEach(s -> out.set(s.getName(), Json.strings(s.getTagsList())));
            return out;
        });
    }

    private CompletableFuture<Reply> service(Request r) {
        String name = r.tail("/v1/catalog/service/");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing service name");
        }
        ServiceQuery query = ServiceQueries.build(r, name, c.query.options(r), "ServiceTags", "NodeMeta", false);
        return ApiContext.read(r, c.catalog.listServiceInstances(query), a -> a.getMeta(), a -> {
            ArrayNode out = Json.array();
            a.getEntriesList().forEach(e -> out.add(ConsulJson.catalogService(e)));
            return out;
        });
    }

    private CompletableFuture<Reply> node(Request r) {
        String name = r.tail("/v1/catalog/node/");
        if (name.isEmpty()) {
            throw HttpError.badRequest("Missing node name");
        }
        return ApiContext.read(r, c.catalog.getNode(GetNodeRequest.newBuilder().setNode(name)
                .setOptions(c.query.options(r)).build()), a -> a.getMeta(), a -> {
            if (!a.hasNode()) {
                // Consul answers an unknown node with 200 and null.
                return Json.MAPPER.getNodeFactory().nullNode();
            }
            ObjectNode out = Json.object();
            out.set("Node", ConsulJson.node(a.getNode()));
            ObjectNode services = Json.object();
            a.getServicesList().forEach(s -> services.set(s.getId(), ConsulJson.service(s)));
            out.set("Services", services);
            return out;
        });
    }
}
