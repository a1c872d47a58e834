package dev.meshplane.client;

import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Resolves {@code mesh:///<service>} from the local sidecar's Watch stream: the SNAPSHOT and then
 * every DELTA of the service's health, reported to the channel as the healthy instances' addresses
 * with round_robin. When the stream ends (the sidecar restarting) the last addresses stay in use
 * while it re-subscribes with jittered back-off; the fresh snapshot then replaces them.
 */
final class MeshNameResolver extends NameResolver {
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final Map<String, ?> ROUND_ROBIN = Map.of("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));

    private final String service;
    private final String authority;
    private final Supplier<ManagedChannel> sidecar;
    private final MeshResolverConfig config;
    private final SynchronizationContext sync;
    private final ScheduledExecutorService timer;
    private final ServiceConfigParser serviceConfigParser;
    // Everything below is touched only inside the synchronization context.
    private Listener2 listener;
    private ManagedChannel channel;
    private ClientCallStreamObserver<WatchRequest> call;
    private SynchronizationContext.ScheduledHandle retry;
    private HealthyInstances instances;
    private boolean everResolved;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private long generation;
    private boolean shutdown;

    MeshNameResolver(String service, String authority, Supplier<ManagedChannel> sidecar, MeshResolverConfig config,
                     Args args) {
        this.service = service;
        this.authority = authority;
        this.sidecar = sidecar;
        this.config = config;
        this.sync = args.getSynchronizationContext();
        this.timer = args.getScheduledExecutorService();
        this.serviceConfigParser = args.getServiceConfigParser();
    }

    @Override
    public String getServiceAuthority() {
        return authority;
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        this.channel = sidecar.get();
        subscribe();
    }

    /** Streams push every change: there is nothing to poll. */
    @Override
    public void refresh() {
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (call != null) {
            call.cancel("resolver shut down", null);
        }
        if (retry != null) {
            retry.cancel();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    private void subscribe() {
        retry = null;
        long gen = ++generation;
        instances = new HealthyInstances(service, config.includeWarning());
        WatchRequest request = WatchRequest.newBuilder()
                .setServiceHealth(ServiceHealthTopic.newBuilder().setService(service)).build();
        WatchGrpc.newStub(channel).watch(request, new ClientResponseObserver<WatchRequest, WatchEvent>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> upstream) {
                sync.execute(() -> call = upstream);
            }

            @Override
            public void onNext(WatchEvent event) {
                sync.execute(() -> received(gen, event));
            }

            @Override
            public void onError(Throwable t) {
                sync.execute(() -> ended(gen, Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
                sync.execute(() -> ended(gen, Status.UNAVAILABLE.withDescription("the sidecar ended the watch")));
            }
        });
    }

    private void received(long gen, WatchEvent event) {
        if (gen != generation || shutdown) {
            return;
        }
        instances.apply(event);
        if (event.getKind() == WatchEvent.Kind.SNAPSHOT) {
            backoffMillis = FIRST_BACKOFF_MILLIS;
        }
        StatusOr<List<EquivalentAddressGroup>> addresses = instances.addresses();
        if (!addresses.hasValue()) {
            listener.onError(addresses.getStatus());
            return;
        }
        everResolved = true;
        listener.onResult2(ResolutionResult.newBuilder()
                .setAddressesOrError(addresses)
                .setServiceConfig(serviceConfigParser.parseServiceConfig(ROUND_ROBIN))
                .build());
    }

    private void ended(long gen, Status status) {
        if (gen != generation || shutdown) {
            return;
        }
        call = null;
        if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            // The sidecar refused the name itself: no retry can help.
            listener.onError(Status.INVALID_ARGUMENT.withDescription("mesh:///" + service + ": "
                    + status.getDescription()));
            return;
        }
        if (!everResolved) {
            // Nothing to keep using: fail calls now, with the reason, rather than leave them waiting.
            listener.onError(Status.UNAVAILABLE.withDescription("cannot watch service " + service
                    + " on the sidecar " + config.sidecarAddress() + ": " + status.getCode() + " "
                    + status.getDescription()));
        }
        long delay = ThreadLocalRandom.current().nextLong(backoffMillis / 2, backoffMillis + 1);
        backoffMillis = Math.min(config.maxBackoff().toMillis(), backoffMillis * 2);
        retry = sync.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS, timer);
    }
}
