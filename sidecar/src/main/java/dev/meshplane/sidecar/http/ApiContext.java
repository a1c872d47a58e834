package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.ListenableFuture;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.IntentionsGrpc;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.QueryMeta;
import dev.meshplane.proto.v1.SessionsGrpc;
import dev.meshplane.proto.v1.StatusGrpc;
import dev.meshplane.proto.v1.TxnGrpc;
import dev.meshplane.sidecar.connect.SidecarConnect;
import io.grpc.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the endpoints translate onto: future stubs of the public gRPC API (through the agent's
 * channel to the servers) and of the agent's own Agent service, plus who this agent is.
 */
final class ApiContext {
    final CatalogGrpc.CatalogFutureStub catalog;
    final KVGrpc.KVFutureStub kv;
    final SessionsGrpc.SessionsFutureStub sessions;
    final TxnGrpc.TxnFutureStub txn;
    final StatusGrpc.StatusFutureStub status;
    final AgentGrpc.AgentFutureStub agent;
    final ConnectCAGrpc.ConnectCAFutureStub connectCa;
    final IntentionsGrpc.IntentionsFutureStub intentions;
    /** The agent's leaves and intention cache; null when the agent runs without the mesh side. */
    final SidecarConnect mesh;
    final QueryParams query;
    final HttpConfig config;
    final AgentIdentity self;

    ApiContext(Channel servers, Channel agentChannel, HttpConfig config, AgentIdentity self, SidecarConnect mesh) {
        this.catalog = CatalogGrpc.newFutureStub(servers);
        this.kv = KVGrpc.newFutureStub(servers);
        this.sessions = SessionsGrpc.newFutureStub(servers);
        this.txn = TxnGrpc.newFutureStub(servers);
        this.status = StatusGrpc.newFutureStub(servers);
        this.agent = AgentGrpc.newFutureStub(agentChannel);
        this.connectCa = ConnectCAGrpc.newFutureStub(servers);
        this.intentions = IntentionsGrpc.newFutureStub(servers);
        this.mesh = mesh;
        this.query = new QueryParams(self.datacenter());
        this.config = config;
        this.self = self;
    }

    /** A read: the call's answer as JSON with the X-Consul-* headers of its query meta. */
    static <T> CompletableFuture<Reply> read(Request r, ListenableFuture<T> call, Function<T, QueryMeta> meta,
                                             Function<T, JsonNode> body) {
        return Calls.of(r, call).thenApply(answer ->
                Json.reply(r, body.apply(answer)).withHeaders(QueryParams.headers(meta.apply(answer))));
    }

    /** A write answered with Consul's bare {@code true}. */
    static <T> CompletableFuture<Reply> writeTrue(Request r, ListenableFuture<T> call) {
        return Calls.of(r, call).thenApply(answer -> Json.reply(r, Json.MAPPER.getNodeFactory().booleanNode(true)));
    }
}
