package dev.meshplane.sidecar.xds;

import com.google.protobuf.Message;
import dev.meshplane.proto.v1.ServiceEntry;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.Status;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One service's xDS resources, kept current from the sidecar's shared watch on the service's health
 * and shared by every ADS stream that subscribes to any of them. Changes are gathered for the
 * debounce interval, the resources recomputed once, and only if one of them changed are the
 * subscribed streams told.
 */
final class ServiceTracker implements SharedTopic.Listener {
    private static final Logger LOG = Logger.getLogger(ServiceTracker.class.getName());

    final String service;
    private final XdsConfig config;
    private final ScheduledExecutorService scheduler;
    private final XdsHub hub;
    private final Set<AdsStream> streams = ConcurrentHashMap.newKeySet();
    private volatile UpstreamWatches.Subscription subscription;
    /** Null until the servers' first snapshot is in: streams wait rather than report it absent. */
    private volatile ServiceResources current;
    private boolean recomputeScheduled;

    ServiceTracker(String service, XdsConfig config, ScheduledExecutorService scheduler, XdsHub hub) {
        this.hub = hub;
        this.service = service;
        this.config = config;
        this.scheduler = scheduler;
    }

    /** Every instance, any health: the Listener must exist while any instance is registered. */
    static WatchRequest topic(String service) {
        return WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService(service)).build();
    }

    void start(UpstreamWatches upstream) {
        subscription = upstream.subscribe(topic(service), this);
    }

    void stop() {
        if (subscription != null) {
            subscription.close();
        }
    }

    void add(AdsStream stream) {
        streams.add(stream);
    }

    /** Returns whether no stream is left. */
    boolean remove(AdsStream stream) {
        streams.remove(stream);
        return streams.isEmpty();
    }

    /** The current resources; null while the first snapshot is awaited. */
    ServiceResources current() {
        return current;
    }

    @Override
    public void onEvent(EncodedWatchEvent event, TopicState state) {
        synchronized (this) {
            if (recomputeScheduled) {
                return;
            }
            recomputeScheduled = true;
        }
        // The first answer is not held back: clients are waiting for it.
        long delay = current == null ? 0 : config.debounce().toNanos();
        scheduler.schedule(this::recompute, delay, TimeUnit.NANOSECONDS);
    }

    @Override
    public void onFailed(Status status) {
        LOG.warning("service " + service + ": the servers refused its watch (" + status.getCode() + " "
                + status.getDescription() + "); its resources are reported absent");
        publish(ServiceResources.ABSENT);
    }

    private void recompute() {
        synchronized (this) {
            recomputeScheduled = false;
        }
        UpstreamWatches.Subscription s = subscription;
        if (s == null) {
            // The first snapshot can arrive before start() has stored the subscription.
            onEvent(null, null);
            return;
        }
        List<ServiceEntry> instances = s.topic().instances();
        ServiceResources before = current;
        EnumMap<ResourceType, Message> built = new EnumMap<>(ResourceType.class);
        built.put(ResourceType.LISTENER, MeshResources.clientListener(service));
        if (instances.isEmpty()) {
            // Resources that fail calls at once with a clear status (see unregisteredRoute); no cluster.
            built.put(ResourceType.ROUTE, MeshResources.unregisteredRoute(service));
        } else {
            LbPolicy policy = LbPolicy.of(service, instances);
            built.put(ResourceType.ROUTE, MeshResources.route(service, policy));
            built.put(ResourceType.CLUSTER, MeshResources.cluster(service, policy, config,
                    MeshResources.wantsMtls(instances)));
            built.put(ResourceType.ENDPOINTS, MeshResources.loadAssignment(service, instances,
                    config.includeWarning()));
        }
        built.replaceAll((type, resource) -> hub.resourceHook.apply(resource));
        ServiceResources after = ServiceResources.of(built, before);
        if (before != null && (after == before || after.sameAs(before))) {
            return;
        }
        publish(after);
    }

    private void publish(ServiceResources resources) {
        current = resources;
        for (AdsStream s : streams) {
            s.changed();
        }
    }
}
