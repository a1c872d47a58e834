package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.ErrorMappingInterceptor;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.controlplane.watch.WakeRegistry;
import dev.meshplane.controlplane.watch.WatchHub;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The public API of the server role, ready to be added to a gRPC server. */
public final class ServerServices {
    private ServerServices() {}

    public static List<ServerServiceDefinition> create(Consensus consensus, StateStore store, StateQueries queries,
                                                       WakeRegistry wakes, WatchHub hub, ApiLimits limits,
                                                       ScheduledExecutorService timer, Executor worker) {
        Writes writes = new Writes(consensus);
        BlockingReads reads = new BlockingReads(consensus, store, wakes, timer, worker);
        List<BindableService> services = List.of(
                new CatalogRpc(writes, queries, reads),
                new KvRpc(writes, queries, reads, limits),
                new WatchRpc(hub, limits),
                new StatusRpc(consensus));
        ErrorMappingInterceptor errors = new ErrorMappingInterceptor();
        return services.stream().map(s -> ServerInterceptors.intercept(s, errors)).toList();
    }
}
