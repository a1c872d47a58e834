package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshplane.api.IntentionDecider;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.proto.v1.CaRoot;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The CA's roots (/v1/connect/ca/roots and the agent's copy /v1/agent/connect/ca/roots, both
 * blocking queries on ConnectCA.Roots) and /v1/agent/connect/authorize, answered from the
 * agent's intention cache as its sidecars decide. The leaf endpoint is {@link AgentLeafEndpoint}.
 */
final class ConnectCaEndpoints {
    private final ApiContext c;

    private ConnectCaEndpoints(ApiContext c) {
        this.c = c;
    }

    static void register(Router router, ApiContext c) {
        ConnectCaEndpoints e = new ConnectCaEndpoints(c);
        router.add("GET", "/v1/connect/ca/roots", e::roots)
                .add("GET", "/v1/agent/connect/ca/roots", e::roots)
                .add("GET", "/v1/connect/ca/configuration", e::configuration)
                .add("POST", "/v1/agent/connect/authorize", e::authorize);
        AgentLeafEndpoint.register(router, c);
    }

    private CompletableFuture<Reply> roots(Request r) {
        CaRootsRequest request = CaRootsRequest.newBuilder().setOptions(c.query.options(r)).build();
        boolean pem = r.has("pem") && !"false".equalsIgnoreCase(r.param("pem"));
        return Calls.of(r, c.connectCa.roots(request)).thenApply(a -> {
            Map<String, String> headers = QueryParams.headers(a.getMeta());
            if (pem) {
                StringBuilder b = new StringBuilder();
                a.getRootsList().forEach(root -> b.append(root.getRootCert().strip()).append('\n'));
                return new Reply(200, headers, b.toString().getBytes(StandardCharsets.UTF_8),
                        "application/pem-certificate-chain");
            }
            return Json.reply(r, rootsJson(a)).withHeaders(headers);
        });
    }

    /** Consul's IndexedCARoots: the public certificates only, the active root first. */
    static ObjectNode rootsJson(CaRootsResponse a) {
        ObjectNode out = Json.object();
        out.put("ActiveRootID", a.getActiveRootId());
        out.put("TrustDomain", a.getTrustDomain());
        ArrayNode roots = Json.array();
        for (CaRoot root : a.getRootsList()) {
            ObjectNode o = Json.object();
            o.put("ID", root.getId());
            o.put("Name", root.getName());
            o.put("SerialNumber", Long.toUnsignedString(root.getSerialNumber()));
            o.put("SigningKeyID", root.getSigningKeyId());
            o.put("ExternalTrustDomain", a.getTrustDomain());
            o.put("NotBefore", ConsulTime.format(root.getNotBefore()));
            o.put("NotAfter", ConsulTime.format(root.getNotAfter()));
            o.put("RootCert", root.getRootCert());
            o.set("IntermediateCerts", Json.strings(root.getIntermediateCertsList()));
            o.put("Active", root.getActive());
            o.put("PrivateKeyType", "ec");
            o.put("PrivateKeyBits", 256);
            if (root.hasRotatedOutAt()) {
                o.put("RotatedOutAt", ConsulTime.format(root.getRotatedOutAt()));
            }
            roots.add(o);
        }
        out.set("Roots", roots);
        return out;
    }

    private CompletableFuture<Reply> configuration(Request r) {
        throw new HttpError(501, "The CA configuration is not exposed by the servers yet: the CA is the built-in one"
                + " (EC P-256, leaf TTL 72h unless the servers were configured otherwise); see /v1/connect/ca/roots");
    }

    /**
     * Whether the holder of ClientCertURI may connect to Target. The caller has verified the
     * certificate itself (this endpoint is for applications that do mTLS on their own); here only
     * the intentions decide, from the agent's cache, exactly as the sidecar proxies do.
     */
    private CompletableFuture<Reply> authorize(Request r) {
        c.query.checkDatacenter(r);
        JsonIn body = JsonIn.parseObject(r.body());
        String target = body.text("Target");
        if (target.isEmpty()) {
            throw HttpError.badRequest("Target service must be specified");
        }
        String uri = body.text("ClientCertURI");
        SpiffeId caller;
        try {
            caller = SpiffeId.parse(uri);
        } catch (RuntimeException e) {
            throw HttpError.badRequest("ClientCertURI not a valid Connect identifier: " + e.getMessage());
        }
        if (c.mesh == null) {
            throw new HttpError(501, "this agent runs without its mesh side: no intention cache to authorize with");
        }
        IntentionDecider.Decision d = c.mesh.authorize(caller.service(), target);
        ObjectNode out = Json.object();
        out.put("Authorized", d.allowed());
        out.put("Reason", d.reason());
        return CompletableFuture.completedFuture(Json.reply(r, out));
    }
}
