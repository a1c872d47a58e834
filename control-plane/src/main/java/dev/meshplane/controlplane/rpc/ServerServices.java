package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ErrorMappingInterceptor;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.List;

/** The public API of the server role, ready to be added to a gRPC server. */
public final class ServerServices {
    private ServerServices() {}

    /** The services, and what must be closed with the server (the channel to the leader). */
    public static List<ServerServiceDefinition> create(ServerContext ctx, List<AutoCloseable> resources) {
        LeaderForwarding leader = new LeaderForwarding(ctx.consensus());
        resources.add(leader);
        Writes writes = new Writes(ctx.consensus());
        BlockingReads reads = new BlockingReads(ctx.consensus(), ctx.store(), ctx.wakes(), ctx.timer(), ctx.worker());
        List<BindableService> services = List.of(
                new CatalogRpc(writes, ctx.queries(), reads),
                new KvRpc(writes, ctx.queries(), reads, ctx.limits(), ctx.lockDelays()),
                new SessionsRpc(writes, ctx.queries(), reads, ctx.sessionTimers(), ctx.sessionTtlMin()),
                new TxnRpc(writes, ctx.limits(), ctx.lockDelays()),
                new SnapshotRpc(ctx.store(), ctx.consensus()),
                new WatchRpc(ctx.hub(), ctx.limits()),
                new StatusRpc(ctx.consensus()),
                new IntentionsRpc(writes, ctx.connectQueries(), reads, ctx.connect().intentionDefaultAllow()));
        ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
        List<ServerServiceDefinition> out = new java.util.ArrayList<>(
                services.stream().map(s -> ServerInterceptors.intercept(s, errors)).toList());
        out.add(ServerInterceptors.intercept(new ConnectCaRpc(ctx.ca(), ctx.connectQueries(), reads, leader), errors,
                LeaderForwarding.interceptor()));
        return out;
    }
}
