package dev.meshplane.sidecar.connect;

import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.SignResponse;
import dev.meshplane.sidecar.rpc.BlockingQueryLoop;
import dev.meshplane.sidecar.rpc.MeshFeeds;
import io.grpc.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's part of the mesh. It watches three things on the servers with blocking queries:
 * the CA roots, the intentions, and this node's own services in the catalog. For every local
 * service with a {@code connect} block it keeps a leaf certificate (and its files); for every
 * one with a sidecar it runs the public mTLS listener and the upstream listeners.
 */
public final class SidecarConnect implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SidecarConnect.class.getName());
    /** Every proxy event-loop thread's name starts with this, then the node name. */
    public static final String PROXY_THREAD_PREFIX = "mesh-proxy-";

    private final ConnectAgentConfig config;
    private final String node;
    private final String nodeAddress;
    private final String datacenter;
    private final ConnectCAGrpc.ConnectCABlockingStub ca;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final EventLoopGroup loops;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "connect-timers");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final IntentionCache intentions = new IntentionCache();
    private final Map<String, Identity> identities = new HashMap<>();
    private final Map<String, SidecarProxy> proxies = new HashMap<>();
    private final List<BlockingQueryLoop<?>> watches;
    private volatile TrustBundle bundle;
    private boolean closed;

    /** The leaf, TLS contexts and files of one service name on this node. */
    private final class Identity {
        final String name;
        final LeafManager leaf;
        final Optional<CertFiles> files;
        volatile ServiceTls tls;

        Identity(String name) {
            this.name = name;
            this.files = config.certFilesDir().map(dir -> new CertFiles(dir.resolve(name)));
            this.leaf = new LeafManager(name, node, datacenter, ca, () -> bundle, config, timer, random,
                    issued -> refresh());
        }

        /** Rebuilds TLS and rewrites the files from the current leaf and bundle. */
        synchronized void refresh() {
            LeafMaterial current = leaf.current();
            TrustBundle roots = bundle;
            if (current == null || roots == null) {
                return;
            }
            tls = ServiceTls.build(current, roots);
            files.ifPresent(f -> {
                try {
                    f.write(current.issued().getCertPem(), current.keyPem(), roots.pem());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot write the certificate files of " + name + " to " + f.dir(), e);
                }
            });
        }
    }

    /** The listeners of one service instance's sidecar. */
    private record SidecarProxy(Service definition, PublicListener inbound, List<UpstreamListener> upstreams,
                                List<UpstreamTargets> targets) implements AutoCloseable {
        @Override
        public void close() {
            inbound.close();
            upstreams.forEach(UpstreamListener::close);
            targets.forEach(UpstreamTargets::close);
        }
    }

    /**
     * @param servers     a channel to the servers (or the in-process server role)
     * @param feeds       the agent's CA roots and intentions (started by the caller)
     * @param nodeAddress where other nodes reach this one: public listeners bind here unless the
     *                    service names its own address
     */
    public SidecarConnect(ConnectAgentConfig config, Channel servers, MeshFeeds feeds, String node,
                          String nodeAddress, String datacenter) {
        this.config = config;
        this.node = node;
        this.nodeAddress = nodeAddress;
        this.datacenter = datacenter;
        this.ca = ConnectCAGrpc.newBlockingStub(servers);
        this.catalog = CatalogGrpc.newBlockingStub(servers);
        // Named, so that benchmarks can attribute CPU time to the proxy threads.
        this.loops = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new io.netty.util.concurrent.DefaultThreadFactory(PROXY_THREAD_PREFIX + node, true),
                NioIoHandler.newFactory());
        feeds.onRoots(this::onRoots);
        feeds.onIntentions(this::onIntentions);
        long deadline = BlockingQueryLoop.CALL_DEADLINE_SECONDS;
        this.watches = List.of(
                new BlockingQueryLoop<>("services of node " + node, o -> catalog.withDeadlineAfter(deadline,
                        TimeUnit.SECONDS).getNode(GetNodeRequest.newBuilder().setNode(node).setOptions(o).build()),
                        r -> BlockingQueryLoop.indexOf(r.getMeta()), this::onNode, config.maxRetryBackoff()));
    }

    public void start() {
        LOG.info("mesh: proxy TLS by " + (ServiceTls.provider() == io.netty.handler.ssl.SslProvider.OPENSSL
                ? io.netty.handler.ssl.OpenSsl.versionString() : "the JDK") + ", " + config.ioThreads() + " threads");
        watches.forEach(BlockingQueryLoop::start);
    }

    private void onRoots(CaRootsResponse r) {
        if (r.getActiveRootId().isEmpty()) {
            return;
        }
        TrustBundle next = TrustBundle.of(r);
        bundle = next;
        List<Identity> all;
        synchronized (this) {
            all = List.copyOf(identities.values());
        }
        for (Identity id : all) {
            // Trust the new bundle at once (both roots during a rotation), then renew from the new root.
            id.refresh();
            id.leaf.rootsChanged(next);
        }
    }

    private void onIntentions(IntentionListResponse r) {
        intentions.update(r);
        if (config.closeDeniedConnections()) {
            List<SidecarProxy> all;
            synchronized (this) {
                all = List.copyOf(proxies.values());
            }
            all.forEach(p -> p.inbound().recheck());
        }
    }

    private synchronized void onNode(GetNodeResponse r) {
        if (closed) {
            return;
        }
        Set<String> names = new HashSet<>();
        Map<String, Service> sidecars = new HashMap<>();
        for (Service s : r.getServicesList()) {
            if (s.hasConnect()) {
                names.add(s.getName());
                if (s.getConnect().hasSidecarService()) {
                    sidecars.put(s.getId(), s);
                }
            }
        }
        for (String gone : Set.copyOf(proxies.keySet())) {
            Service wanted = sidecars.get(gone);
            if (wanted == null || !wanted.equals(proxies.get(gone).definition())) {
                proxies.remove(gone).close();
            }
        }
        for (String name : Set.copyOf(identities.keySet())) {
            if (!names.contains(name)) {
                Identity id = identities.remove(name);
                id.leaf.close();
                id.files.ifPresent(f -> {
                    try {
                        f.delete();
                    } catch (IOException e) {
                        LOG.warning("cannot remove the certificate files of " + name + ": " + e.getMessage());
                    }
                });
            }
        }
        for (String name : names) {
            identities.computeIfAbsent(name, n -> {
                Identity id = new Identity(n);
                id.leaf.renewNow();
                return id;
            });
        }
        for (Service s : sidecars.values()) {
            if (!proxies.containsKey(s.getId())) {
                try {
                    proxies.put(s.getId(), startProxy(s));
                } catch (RuntimeException | InterruptedException e) {
                    LOG.log(Level.SEVERE, "cannot start the sidecar of service " + s.getId() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private SidecarProxy startProxy(Service s) throws InterruptedException {
        Identity id = identities.get(s.getName());
        var sidecar = s.getConnect().getSidecarService();
        var proxy = sidecar.getProxy();
        String host = s.getAddress().isEmpty() ? nodeAddress : s.getAddress();
        String appHost = proxy.getLocalServiceAddress().isEmpty() ? "127.0.0.1" : proxy.getLocalServiceAddress();
        int appPort = proxy.getLocalServicePort() != 0 ? proxy.getLocalServicePort() : s.getPort();
        int timeout = (int) config.connectTimeout().toMillis();
        PublicListener inbound = new PublicListener(s.getName(), new InetSocketAddress(host, sidecar.getPort()),
                new InetSocketAddress(appHost, appPort), loops, () -> id.tls, intentions, timeout);
        List<UpstreamListener> ups = new java.util.ArrayList<>();
        List<UpstreamTargets> targets = new java.util.ArrayList<>();
        try {
            inbound.start();
            for (var u : proxy.getUpstreamsList()) {
                UpstreamTargets t = new UpstreamTargets(u.getDestinationName(), catalog, config.maxRetryBackoff()).start();
                targets.add(t);
                String bindHost = u.getLocalBindAddress().isEmpty() ? "127.0.0.1" : u.getLocalBindAddress();
                ups.add(new UpstreamListener(s.getName(), new InetSocketAddress(bindHost, u.getLocalBindPort()), t,
                        loops, () -> id.tls, timeout).start());
            }
        } catch (RuntimeException | InterruptedException e) {
            inbound.close();
            ups.forEach(UpstreamListener::close);
            targets.forEach(UpstreamTargets::close);
            throw e;
        }
        return new SidecarProxy(s, inbound, List.copyOf(ups), List.copyOf(targets));
    }

    /** The current leaf of a local service, if it has one yet. */
    public Optional<SignResponse> leaf(String serviceName) {
        Identity id;
        synchronized (this) {
            id = identities.get(serviceName);
        }
        return Optional.ofNullable(id == null ? null : id.leaf.current()).map(LeafMaterial::issued);
    }

    /**
     * A local service's leaf with its private key, in the shape of Consul's agent leaf JSON (for
     * the agent's HTTP API, which serves it only to local callers).
     */
    public record LocalLeaf(SignResponse issued, String privateKeyPem) {}

    public Optional<LocalLeaf> localLeaf(String serviceName) {
        Identity id;
        synchronized (this) {
            id = identities.get(serviceName);
        }
        LeafMaterial m = id == null ? null : id.leaf.current();
        return Optional.ofNullable(m == null ? null : new LocalLeaf(m.issued(), m.keyPem()));
    }

    /**
     * Whether {@code source} may connect to {@code destination} by this agent's intention cache
     * (what Consul's /v1/agent/connect/authorize answers); denied until the first intentions arrive.
     */
    public dev.meshplane.api.IntentionDecider.Decision authorize(String source, String destination) {
        return intentions.decide(source, destination);
    }

    /** A local service's current leaf and when it is due for renewal, read together. */
    public record LeafStatus(SignResponse leaf, Instant renewAt) {}

    public Optional<LeafStatus> leafStatus(String serviceName) {
        Identity id;
        synchronized (this) {
            id = identities.get(serviceName);
        }
        LeafManager.Issued i = id == null ? null : id.leaf.issued();
        return Optional.ofNullable(i == null ? null : new LeafStatus(i.leaf().issued(), i.renewAt()));
    }

    /** Where the service's cert.pem, key.pem and roots.pem are written, if files are configured. */
    public Optional<Path> certFilesDir(String serviceName) {
        return config.certFilesDir().map(d -> d.resolve(serviceName));
    }

    /**
     * Whether the sidecar of a service instance is serving: listeners bound, a leaf, the
     * intentions and every upstream's instances known.
     */
    public synchronized boolean ready(String serviceId) {
        SidecarProxy p = proxies.get(serviceId);
        if (p == null || !intentions.loaded()) {
            return false;
        }
        Identity id = identities.get(p.definition().getName());
        return id != null && id.tls != null && p.targets().stream().allMatch(UpstreamTargets::loaded);
    }

    /** The trust domain and active root the sidecar currently knows (empty before the first roots). */
    public Optional<String> activeRootId() {
        TrustBundle b = bundle;
        return Optional.ofNullable(b == null ? null : b.activeRootId());
    }

    @Override
    public void close() {
        watches.forEach(BlockingQueryLoop::close);
        synchronized (this) {
            closed = true;
            proxies.values().forEach(SidecarProxy::close);
            proxies.clear();
            identities.values().forEach(id -> id.leaf.close());
            identities.clear();
        }
        timer.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
