package dev.meshplane.sidecar;

import dev.meshplane.api.ErrorMappingInterceptor;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.SessionsGrpc;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.StatusGrpc;
import dev.meshplane.proto.v1.TxnGrpc;
import dev.meshplane.sidecar.agent.AgentRpc;
import dev.meshplane.sidecar.rpc.Forwarding;
import dev.meshplane.sidecar.xds.XdsConfig;
import dev.meshplane.sidecar.xds.XdsServer;
import io.grpc.Channel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent role: the node's gRPC API (its own Agent service, the rest of the public API
 * relayed to the servers, and grpc.health.v1), plus the node's registration in the catalog.
 */
public final class Sidecar implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sidecar.class.getName());

    private final SidecarConfig config;
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final NodeRegistration nodeRegistration;
    private final XdsServer xds;
    private Thread registrationThread;

    /** @param servers a channel to any server's RPC port (or to an in-process server role) */
    public Sidecar(SidecarConfig config, Channel servers) {
        this(config, servers, XdsConfig.defaults());
    }

    /** As above, with the xDS server's and shared watches' settings. */
    public Sidecar(SidecarConfig config, Channel servers, XdsConfig xdsConfig) {
        this.config = config;
        // Discovery streams (ADS and Watch) share one upstream watch per topic to the servers.
        this.xds = new XdsServer(xdsConfig, servers);
        Node self = Node.newBuilder().setName(config.nodeName()).setAddress(config.nodeAddress())
                .setDatacenter(config.datacenter()).build();
        CatalogGrpc.CatalogBlockingStub catalog = CatalogGrpc.newBlockingStub(servers);
        this.nodeRegistration = new NodeRegistration(self, catalog);
        AgentRpc agent = new AgentRpc(self, catalog, config.writeTimeout().toMillis());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(config.grpcBind());
        for (ServerServiceDefinition d : xds.services()) {
            builder.addService(d);
        }
        this.server = builder
                .maxInboundMessageSize(config.maxMessageBytes())
                .addService(ServerInterceptors.intercept(agent, new ErrorMappingInterceptor()))
                .addService(Forwarding.forward(CatalogGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(KVGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SessionsGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(TxnGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SnapshotGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(OperatorGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(StatusGrpc.getServiceDescriptor(), servers))
                .addService(health.getHealthService())
                .build();
    }

    /** Binds the gRPC listener and starts registering the node; returns the bound address. */
    public InetSocketAddress start() throws IOException {
        server.start();
        health.setStatus("", ServingStatus.SERVING);
        registrationThread = Thread.ofVirtual().name("node-registration").start(nodeRegistration);
        InetSocketAddress bound = grpcAddress();
        LOG.info("agent gRPC API listening on " + bound.getHostString() + ":" + bound.getPort());
        return bound;
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

    /** The discovery streams: xDS for gRPC clients and the shared Watch service. */
    public XdsServer xds() {
        return xds;
    }

    @Override
    public void close() {
        nodeRegistration.stop();
        if (registrationThread != null) {
            registrationThread.interrupt();
        }
        health.enterTerminalState();
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
        xds.close();
    }
}
