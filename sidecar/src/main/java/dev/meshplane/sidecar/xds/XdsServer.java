package dev.meshplane.sidecar.xds;

import com.google.protobuf.Message;
import dev.meshplane.sidecar.rpc.MeshFeeds;
import io.grpc.Channel;
import io.grpc.ServerServiceDefinition;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The sidecar's discovery streams on the agent's gRPC port: the xDS server (ADS, state of the
 * world) for stock gRPC clients, and the Watch service served from shared upstream watches. Both
 * sit on the same {@link UpstreamWatches}, so however many applications on the node follow a
 * service, the servers hold one watch stream for it from this sidecar. See docs/xds.md.
 */
public final class XdsServer implements AutoCloseable {
    private final XdsConfig config;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService flushes;
    private final UpstreamWatches upstream;
    private final ServerPolicies policies;
    /** Feeds this server made itself (null when the agent's are shared). */
    private final MeshFeeds ownFeeds;
    private final XdsHub hub;
    private final LocalWatchService watch;

    /** With CA roots and intentions of its own (started now, closed with it), for use without an agent. */
    public XdsServer(XdsConfig config, Channel servers) {
        this(config, servers, new MeshFeeds(servers, config.maxUpstreamBackoff()), true);
        ownFeeds.start();
    }

    /**
     * @param servers a channel to the servers (or the in-process server role)
     * @param feeds   the agent's CA roots and intentions, which the RBAC filters follow (started by the caller)
     */
    public XdsServer(XdsConfig config, Channel servers, MeshFeeds feeds) {
        this(config, servers, feeds, false);
    }

    private XdsServer(XdsConfig config, Channel servers, MeshFeeds feeds, boolean owned) {
        this.ownFeeds = owned ? feeds : null;
        this.config = config;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xds-scheduler");
            t.setDaemon(true);
            return t;
        });
        this.flushes = Executors.newVirtualThreadPerTaskExecutor();
        this.upstream = new UpstreamWatches(servers, scheduler, config.maxUpstreamBackoff());
        this.policies = new ServerPolicies(feeds);
        this.hub = new XdsHub(config, upstream, scheduler, policies);
        this.watch = new LocalWatchService(upstream, servers, flushes, config.maxPendingWatchEvents());
    }

    /** The services to add to the agent's gRPC server: ADS and Watch. */
    public List<ServerServiceDefinition> services() {
        return List.of(new AggregatedDiscovery(hub, config, flushes).bindService(), watch.bindService());
    }

    public XdsConfig config() {
        return config;
    }

    /** Streams to the servers this sidecar holds for discovery (one per watched topic). */
    public int upstreamWatches() {
        return upstream.openTopics();
    }

    /** ADS streams open now. */
    public int adsStreams() {
        return hub.streamCount();
    }

    /** ADS responses sent since start. */
    public long responsesSent() {
        return hub.stats.responses.sum();
    }

    /** RBAC filters adopted for server Listeners since start (each one is pushed to the servers of its service). */
    public long rbacFiltersBuilt() {
        return policies.changes.sum();
    }

    /** NACKs received since start. */
    public long nacksReceived() {
        return hub.stats.nacks.sum();
    }

    /**
     * Test seam: every resource computed from now on passes through {@code hook} before it is
     * encoded (tests craft resources a client must reject). Production code never calls this.
     */
    public void setResourceHookForTest(UnaryOperator<Message> hook) {
        hub.resourceHook = hook;
    }

    @Override
    public void close() {
        if (ownFeeds != null) {
            ownFeeds.close();
        }
        upstream.closeAll();
        scheduler.shutdownNow();
        flushes.shutdown();
        try {
            flushes.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
