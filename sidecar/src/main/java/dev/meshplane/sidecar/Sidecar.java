package dev.meshplane.sidecar;

import dev.meshplane.api.ErrorMappingInterceptor;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.IntentionsGrpc;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.SessionsGrpc;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.StatusGrpc;
import dev.meshplane.proto.v1.TxnGrpc;
import dev.meshplane.sidecar.agent.AgentRpc;
import dev.meshplane.sidecar.agent.LocalAgent;
import dev.meshplane.sidecar.checks.SystemScheduler;
import dev.meshplane.sidecar.dns.DnsServer;
import dev.meshplane.sidecar.http.AgentIdentity;
import dev.meshplane.sidecar.http.HttpApiServer;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import dev.meshplane.sidecar.connect.SidecarConnect;
import dev.meshplane.sidecar.rpc.MeshFeeds;
import dev.meshplane.sidecar.membership.Membership;
import dev.meshplane.sidecar.rpc.Forwarding;
import dev.meshplane.sidecar.xds.XdsConfig;
import dev.meshplane.sidecar.xds.XdsServer;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent role: the node's gRPC API (its own Agent service, the rest of the public API
 * relayed to the servers, and grpc.health.v1), the Consul-compatible HTTP API and DNS interface
 * (both translators onto that same gRPC API), plus the node's registration in the catalog.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());

    private final SidecarConfig config;
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final NodeRegistration nodeRegistration;
    private final SystemScheduler scheduler = new SystemScheduler("agent-timers");
    private final LocalAgent localAgent;
    private final ServerHealth serverHealth;
    /** The Agent service in-process too, so the HTTP API calls it like any other gRPC client. */
    private final Server agentInProcess;
    private final ManagedChannel agentChannel;
    private final ExecutorService agentExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpApiServer http;
    private final DnsServer dns;
    private final MeshFeeds feeds;
    private final SidecarConnect connect;
    private final XdsServer xds;
    private final Membership membership = new Membership();
    private Thread registrationThread;
    private Thread healthThread;

    /** @param servers a channel to any server's RPC port (or to an in-process server role) */
    public Sidecar(SidecarConfig config, Channel servers) {
        this(config, servers, ConnectAgentConfig.defaults(), XdsConfig.defaults());
    }

    /** @param connectConfig the mesh settings: certificate files, leaf TTL, proxy threads */
    public Sidecar(SidecarConfig config, Channel servers, ConnectAgentConfig connectConfig) {
        this(config, servers, connectConfig, XdsConfig.defaults());
    }

    /** As above, with the xDS server's and shared watches' settings. */
    public Sidecar(SidecarConfig config, Channel servers, XdsConfig xdsConfig) {
        this(config, servers, ConnectAgentConfig.defaults(), xdsConfig);
    }

    public Sidecar(SidecarConfig config, Channel servers, ConnectAgentConfig connectConfig, XdsConfig xdsConfig) {
        this.config = config;
        // One pair of blocking queries (CA roots, intentions) for the mTLS proxies and the xDS RBAC filters.
        this.feeds = new MeshFeeds(servers, connectConfig.maxRetryBackoff());
        this.connect = new SidecarConnect(connectConfig, servers, feeds, config.nodeName(), config.nodeAddress(),
                config.datacenter());
        // Discovery streams (ADS and Watch) share one upstream watch per topic to the servers.
        this.xds = new XdsServer(xdsConfig, servers, feeds);
        Node self = Node.newBuilder().setName(config.nodeName()).setAddress(config.nodeAddress())
                .setDatacenter(config.datacenter()).build();
        CatalogGrpc.CatalogBlockingStub catalog = CatalogGrpc.newBlockingStub(servers);
        this.nodeRegistration = new NodeRegistration(self, catalog, config.gossip());
        this.localAgent = new LocalAgent(config.local(), self, catalog, scheduler);
        if (servers instanceof ManagedChannel managed) {
            localAgent.beforeSyncRetry(managed::resetConnectBackoff);
        }
        this.serverHealth = new ServerHealth(StatusGrpc.newBlockingStub(servers), health);
        AgentRpc agent = new AgentRpc(localAgent, membership);
        ServerServiceDefinition agentService = ServerInterceptors.intercept(agent, new ErrorMappingInterceptor());
        String inProcessName = "meshplane-agent-" + config.nodeName() + "-" + System.identityHashCode(this);
        // Agent RPCs wait on the servers with a blocking stub: a virtual thread each keeps that cheap.
        this.agentInProcess = InProcessServerBuilder.forName(inProcessName).executor(agentExecutor)
                .addService(agentService).build();
        this.agentChannel = InProcessChannelBuilder.forName(inProcessName).build();
        this.http = config.http() == null ? null : new HttpApiServer(config.http(), servers, agentChannel,
                new AgentIdentity(config.nodeName(), config.nodeAddress(), config.datacenter(), config.serverRole(),
                        Map.of(), version()), connect);
        this.dns = config.dns() == null ? null : new DnsServer(config.dns(), servers, config.datacenter());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(config.grpcBind());
        for (ServerServiceDefinition d : xds.services()) {
            builder.addService(d);
        }
        this.server = builder
                .maxInboundMessageSize(config.maxMessageBytes())
                .addService(agentService)
                .addService(Forwarding.forward(CatalogGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(KVGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SessionsGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(TxnGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SnapshotGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(OperatorGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(StatusGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(ConnectCAGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(IntentionsGrpc.getServiceDescriptor(), servers))
                .addService(health.getHealthService())
                .build();
    }

    /**
     * Restores the data dir and reads the config dir (a bad definition fails the start), binds
     * the gRPC listener, then the HTTP API and DNS when configured, and starts registering the
     * node; returns the gRPC address.
     */
    public InetSocketAddress start() throws IOException {
        localAgent.start();
        agentInProcess.start();
        server.start();
        health.setStatus("", ServingStatus.NOT_SERVING);
        registrationThread = Thread.ofVirtual().name("node-registration").start(nodeRegistration);
        healthThread = Thread.ofVirtual().name("agent-health").start(serverHealth);
        connect.start();
        feeds.start();
        InetSocketAddress bound = grpcAddress();
        LOG.info("agent gRPC API listening on " + bound.getHostString() + ":" + bound.getPort());
        if (http != null) {
            bindOrExplain("HTTP API", config.http().bind(), http::start);
        }
        if (dns != null) {
            bindOrExplain("DNS interface", config.dns().bind(), dns::start);
        }
        return bound;
    }

    private interface Binder {
        InetSocketAddress bind() throws IOException;
    }

    /** A port already taken is reported with the listener and address it was meant for. */
    private static void bindOrExplain(String what, InetSocketAddress where, Binder binder) throws IOException {
        try {
            binder.bind();
        } catch (java.net.BindException e) {
            java.net.BindException explained = new java.net.BindException("cannot listen for the " + what + " on "
                    + where.getHostString() + ":" + where.getPort() + ": " + e.getMessage());
            explained.initCause(e);
            throw explained;
        }
    }

    /** The HTTP API's address, or null when it is not enabled. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    /** The DNS address (UDP and TCP), or null when it is not enabled. */
    public InetSocketAddress dnsAddress() {
        return dns == null ? null : dns.address();
    }

    /** UDP sockets (and event loops) serving DNS on the one port; 0 without DNS. */
    public int dnsUdpSockets() {
        return dns == null ? 0 : dns.udpSockets();
    }

    /** Open HTTP API connections (0 without the HTTP API). */
    public int httpConnections() {
        return http == null ? 0 : http.connections();
    }

    private static String version() {
        String v = Sidecar.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public InetSocketAddress grpcAddress() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    /** Whether the node's own registration has reached the catalog. */
    public boolean nodeRegistered() {
        return nodeRegistration.registered();
    }

    public SidecarConfig config() {
        return config;
    }

    /** The node's services and checks (for in-process callers: reload on SIGHUP, tests). */
    public LocalAgent localAgent() {
        return localAgent;
    }

    /** The mesh side: leaf certificates, certificate files and sidecar proxies of this node's services. */
    public SidecarConnect connect() {
        return connect;
    }

    /** The gossip side of the Agent API: attach the running pools to it. */
    public Membership membership() {
        return membership;
    }

    /** The discovery streams: xDS for gRPC clients and the shared Watch service. */
    public XdsServer xds() {
        return xds;
    }

    @Override
    public void close() {
        feeds.close();
        connect.close();
        nodeRegistration.stop();
        serverHealth.stop();
        if (registrationThread != null) {
            registrationThread.interrupt();
        }
        if (healthThread != null) {
            healthThread.interrupt();
        }
        localAgent.close();
        scheduler.close();
        health.enterTerminalState();
        if (dns != null) {
            dns.close();
        }
        if (http != null) {
            http.close();
        }
        server.shutdown();
        try {
            // Watch streams never finish on their own: give calls in flight a moment, then cut them.
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        agentChannel.shutdownNow();
        agentInProcess.shutdownNow();
        agentExecutor.shutdownNow();
        xds.close();
    }
}
