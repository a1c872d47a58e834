package dev.meshplane.cli;

import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.cluster.PeerTransport;
import dev.meshplane.controlplane.cluster.RaftServerConfig;
import dev.meshplane.controlplane.cluster.ReplicatedLog;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.sidecar.Sidecar;
import dev.meshplane.sidecar.SidecarConfig;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import dev.meshplane.sidecar.rpc.ServerAddresses;
import dev.meshplane.sidecar.rpc.ServerChannels;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.dns.DnsConfig;
import dev.meshplane.sidecar.http.HttpConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A running agent: the sidecar role always, and a server role with -dev (log in memory) or
 * -server (log replicated through Raft, state in -data-dir). The sidecar reaches its own server
 * role in-process; other agents and servers reach it on the server RPC port.
 */
final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("agent");
    /** Raft messages and snapshot chunks can be larger than client requests. */
    private static final int SERVER_MAX_MESSAGE_BYTES = 128 << 20;

    /** The agent's mode. */
    enum Mode { DEV, SERVER, CLIENT }

    /**
     * What `meshctl agent` was asked for, after flag validation.
     *
     * @param httpPort the HTTP API port; -1 disables it
     * @param dnsPort  the DNS port; -1 disables it
     * @param dns      DNS settings other than the address
     * @param advertiseHost the IP other agents reach this one at (LAN gossip, server RPC, catalog node
     *                 address); null: {@link AdvertiseAddress#defaultFor the default} for {@code bindHost}
     */
    record Settings(Mode mode, String nodeName, String bindHost, String clientHost, int serverPort, int grpcPort,
                    String datacenter, List<String> joinAddresses, int bootstrapExpect, Path dataDir,
                    LocalAgentConfig local, int httpPort, int dnsPort, DnsSettings dns, GossipSettings gossip,
                    String advertiseHost) {
        Settings {
            joinAddresses = List.copyOf(joinAddresses);
            if (gossip == null) {
                throw new IllegalArgumentException("gossip settings must be given (GossipSettings.DISABLED for none)");
            }
            if (advertiseHost == null) {
                advertiseHost = AdvertiseAddress.defaultFor(bindHost);
            }
        }

        /** Advertising the default address for {@code bindHost}. */
        Settings(Mode mode, String nodeName, String bindHost, String clientHost, int serverPort, int grpcPort,
                 String datacenter, List<String> joinAddresses, int bootstrapExpect, Path dataDir,
                 LocalAgentConfig local, int httpPort, int dnsPort, DnsSettings dns, GossipSettings gossip) {
            this(mode, nodeName, bindHost, clientHost, serverPort, grpcPort, datacenter, joinAddresses, bootstrapExpect,
                    dataDir, local, httpPort, dnsPort, dns, gossip, null);
        }

        /** Without gossip (in-process test agents). */
        Settings(Mode mode, String nodeName, String bindHost, String clientHost, int serverPort, int grpcPort,
                 String datacenter, List<String> joinAddresses, int bootstrapExpect, Path dataDir,
                 LocalAgentConfig local, int httpPort, int dnsPort, DnsSettings dns) {
            this(mode, nodeName, bindHost, clientHost, serverPort, grpcPort, datacenter, joinAddresses, bootstrapExpect,
                    dataDir, local, httpPort, dnsPort, dns, GossipSettings.DISABLED);
        }

        /** A dev agent on these ports, without HTTP or DNS; its local state in memory unless {@code local} says otherwise. */
        static Settings dev(String node, int serverPort, int grpcPort, LocalAgentConfig local) {
            return new Settings(Mode.DEV, node, "127.0.0.1", "127.0.0.1", serverPort, grpcPort, "dc1", List.of(), 0,
                    null, local, -1, -1, DnsSettings.DEFAULTS);
        }

        static Settings dev(String node, int serverPort, int grpcPort) {
            return dev(node, serverPort, grpcPort, LocalAgentConfig.IN_MEMORY);
        }

        /** The same agent with the HTTP API and DNS on these ports (0: a free port). */
        Settings withHttpDns(int http, int dnsPort, DnsSettings dnsSettings) {
            return new Settings(mode, nodeName, bindHost, clientHost, serverPort, grpcPort, datacenter, joinAddresses,
                    bootstrapExpect, dataDir, local, http, dnsPort, dnsSettings, gossip, advertiseHost);
        }

        /** The same agent with these gossip settings. */
        Settings withGossip(GossipSettings g) {
            return new Settings(mode, nodeName, bindHost, clientHost, serverPort, grpcPort, datacenter, joinAddresses,
                    bootstrapExpect, dataDir, local, httpPort, dnsPort, dns, g, advertiseHost);
        }

        /** The same agent listening on {@code bind} and advertising {@code advertise} (null: the default). */
        Settings withAddresses(String bind, String advertise) {
            return new Settings(mode, nodeName, bind, clientHost, serverPort, grpcPort, datacenter, joinAddresses,
                    bootstrapExpect, dataDir, local, httpPort, dnsPort, dns, gossip, advertise);
        }
    }

    /** DNS flags: everything in {@link DnsConfig} but the address and the internal limits. */
    record DnsSettings(String domain, String altDomain, boolean onlyPassing, Duration nodeTtl,
                       Map<String, Duration> serviceTtl, Duration negativeTtl, List<InetSocketAddress> recursors) {
        static final DnsSettings DEFAULTS = new DnsSettings(DnsConfig.DEFAULT_DOMAIN, "", false, DnsConfig.DEFAULT_TTL,
                Map.of(), DnsConfig.DEFAULT_NEGATIVE_TTL, List.of());

        DnsConfig toConfig(InetSocketAddress bind) {
            return new DnsConfig(bind, domain, altDomain, onlyPassing, nodeTtl, serviceTtl, negativeTtl, recursors,
                    DnsConfig.DEFAULT_RECURSOR_TIMEOUT, DnsConfig.DEFAULT_MAX_UDP_PAYLOAD,
                    DnsConfig.DEFAULT_MAX_WATCHED_SERVICES, DnsConfig.DEFAULT_SERVICE_IDLE_TIMEOUT);
        }
    }

    /**
     * The mesh settings of an agent: the servers' CA and intention settings (used only with a
     * server role) and the sidecar's.
     */
    record Mesh(java.util.function.UnaryOperator<ConnectConfig> server, ConnectAgentConfig sidecar) {
        /** The defaults, with certificate files under the data dir when there is one. */
        static Mesh defaults(Settings s) {
            ConnectAgentConfig sidecar = ConnectAgentConfig.defaults();
            if (s.dataDir() != null) {
                sidecar = sidecar.withCertFilesDir(s.dataDir().resolve("connect").resolve("certs"));
            }
            return new Mesh(c -> c, sidecar);
        }
    }

    private final List<AutoCloseable> closeInOrder = new ArrayList<>();
    private InetSocketAddress grpcAddress;
    private InetSocketAddress serverAddress;
    private Sidecar sidecar;
    private ControlPlane server;
    private AgentGossip gossip;
    /** What a graceful leave (`meshctl leave`) does once the pools are left: stop this agent. */
    private volatile Runnable onLeave = () -> Thread.ofPlatform().name("agent-stop").start(this::close);

    private Agent() {}

    static Agent start(Settings s) throws IOException {
        return start(s, Mesh.defaults(s));
    }

    static Agent start(Settings s, Mesh mesh) throws IOException {
        Agent agent = new Agent();
        try {
            agent.startRoles(s, mesh);
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void startRoles(Settings s, Mesh mesh) throws IOException {
        ServerAddresses serverList = s.mode() == Mode.CLIENT ? new ServerAddresses(s.joinAddresses()) : null;
        ManagedChannel toServers = serverList != null ? ServerChannels.forAddresses(serverList)
                : startServer(s, mesh);
        closeInOrder.add(0, () -> toServers.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        HttpConfig http = s.httpPort() < 0 ? null
                : HttpConfig.defaults(new InetSocketAddress(s.clientHost(), s.httpPort()));
        DnsConfig dns = s.dnsPort() < 0 ? null : s.dns().toConfig(new InetSocketAddress(s.clientHost(), s.dnsPort()));
        SidecarConfig config = new SidecarConfig(s.nodeName(), s.advertiseHost(), s.datacenter(),
                new InetSocketAddress(s.clientHost(), s.grpcPort()), SidecarConfig.DEFAULT_WRITE_TIMEOUT,
                SidecarConfig.DEFAULT_MAX_MESSAGE_BYTES, s.local(), s.mode() != Mode.CLIENT, http, dns,
                s.gossip().enabled());
        sidecar = new Sidecar(config, toServers, mesh.sidecar());
        closeInOrder.add(0, sidecar);
        grpcAddress = bind("agent gRPC API", config.grpcBind(), sidecar::start);
        if (s.gossip().enabled()) {
            gossip = AgentGossip.start(s, sidecar, server, serverAddress == null ? 0 : serverAddress.getPort(),
                    serverList, () -> onLeave.run());
            // Closed first: the pools are left before anything else stops.
            closeInOrder.add(0, gossip);
        }
    }

    /** Replaces what happens after a graceful leave (the command stops the process instead). */
    void onLeave(Runnable action) {
        this.onLeave = action;
    }

    /** The gossip wiring, or null when gossip is disabled. */
    AgentGossip gossip() {
        return gossip;
    }

    /** Starts the server role on the server RPC port and in-process; returns a channel to it. */
    private ManagedChannel startServer(Settings s, Mesh mesh) throws IOException {
        MutableHandlerRegistry registry = new MutableHandlerRegistry();
        InetSocketAddress rpcBind = new InetSocketAddress(s.bindHost(), s.serverPort());
        Server rpc = NettyServerBuilder.forAddress(rpcBind).fallbackHandlerRegistry(registry)
                .callExecutor(new dev.meshplane.controlplane.cluster.RaftCallExecutors())
                .maxInboundMessageSize(SERVER_MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(PeerTransport.PERMIT_PING_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true).build();
        closeInOrder.add(0, () -> rpc.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        serverAddress = bind("server RPC", rpcBind, () -> {
            rpc.start();
            return (InetSocketAddress) rpc.getListenSockets().get(0);
        });
        // The advertised address is known only once the port is bound (port 0 in tests).
        String advertise = hostPort(s.advertiseHost(), serverAddress.getPort());
        ServerConfig serverConfig = ServerConfig.dev(advertise)
                .withConnect(mesh.server().apply(ConnectConfig.defaults(s.datacenter())));
        if (s.mode() == Mode.DEV) {
            server = ControlPlane.inMemory(serverConfig);
        } else {
            List<String> joins = s.joinAddresses().isEmpty() ? List.of(advertise) : s.joinAddresses();
            server = ControlPlane.replicated(serverConfig, RaftServerConfig.of(s.nodeName(), advertise, s.dataDir(),
                    s.datacenter(), s.bootstrapExpect(), joins));
        }
        closeInOrder.add(0, this::stopServer);
        if (server.consensus() instanceof ReplicatedLog log) {
            log.discovery().setGrace(s.gossip().deadServerGrace());
        }
        server.services().forEach(registry::addService);
        registry.addService(server.healthService());
        LOG.info("server RPC listening on " + hostPort(s.bindHost(), serverAddress.getPort()) + ", advertised as "
                + advertise + (s.mode() == Mode.DEV
                ? " (dev mode: state in memory, not replicated)"
                : " (Raft; data in " + s.dataDir() + ", bootstrap-expect " + s.bootstrapExpect() + ")"));

        String name = "meshctl-server-" + System.identityHashCode(this);
        InProcessServerBuilder inProcess = InProcessServerBuilder.forName(name);
        for (ServerServiceDefinition d : server.services()) {
            inProcess.addService(d);
        }
        Server local = inProcess.build().start();
        closeInOrder.add(0, () -> local.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        return InProcessChannelBuilder.forName(name).build();
    }

    /** A leader hands over leadership before it goes, so the cluster need not wait for an election. */
    private void stopServer() {
        if (server.consensus() instanceof ReplicatedLog log) {
            log.handOffLeadership(java.time.Duration.ofSeconds(2));
        }
        server.close();
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private interface Binder {
        InetSocketAddress bind() throws IOException;
    }

    private static InetSocketAddress bind(String what, InetSocketAddress where, Binder binder) throws IOException {
        try {
            return binder.bind();
        } catch (IOException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause != null && cause.getMessage() != null && cause.getMessage().startsWith("cannot listen")) {
                throw new CliException(cause.getMessage());
            }
            if (cause != null) {
                throw new CliException("cannot listen for the " + what + " on " + where.getHostString() + ":"
                        + where.getPort() + ": " + cause.getMessage());
            }
            throw e;
        }
    }

    InetSocketAddress grpcAddress() {
        return grpcAddress;
    }

    /** The HTTP API address, or null when disabled. */
    InetSocketAddress httpAddress() {
        return sidecar.httpAddress();
    }

    /** The DNS address (UDP and TCP), or null when disabled. */
    int dnsUdpSockets() {
        return sidecar.dnsUdpSockets();
    }

    InetSocketAddress dnsAddress() {
        return sidecar.dnsAddress();
    }

    /** The server RPC address, or null when this agent runs no server role. */
    InetSocketAddress serverAddress() {
        return serverAddress;
    }

    Sidecar sidecar() {
        return sidecar;
    }

    /** The server role, or null when this agent runs none. */
    ControlPlane server() {
        return server;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : closeInOrder) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warning("while stopping: " + e);
            }
        }
        closeInOrder.clear();
    }
}
