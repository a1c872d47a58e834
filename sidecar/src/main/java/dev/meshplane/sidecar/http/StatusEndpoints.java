package dev.meshplane.sidecar.http;

import dev.meshplane.proto.v1.LeaderRequest;
import dev.meshplane.proto.v1.PeersRequest;

/** /v1/status/leader and /v1/status/peers, onto the Status service. */
final class StatusEndpoints {
    private StatusEndpoints() {}

    static void register(Router router, ApiContext c) {
        router.add("GET", "/v1/status/leader", r -> {
            c.query.checkDatacenter(r);
            return Calls.of(r, c.status.leader(LeaderRequest.getDefaultInstance())).thenApply(a ->
                    Json.reply(r, Json.MAPPER.getNodeFactory().textNode(a.getAddress())));
        });
        router.add("GET", "/v1/status/peers", r -> {
            c.query.checkDatacenter(r);
            return Calls.of(r, c.status.peers(PeersRequest.getDefaultInstance())).thenApply(a ->
                    Json.reply(r, Json.strings(a.getAddressesList())));
        });
    }
}
