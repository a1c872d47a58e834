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
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.sidecar.agent.AgentRpc;
import dev.meshplane.sidecar.agent.LocalAgent;
import dev.meshplane.sidecar.checks.SystemScheduler;
import dev.meshplane.sidecar.rpc.Forwarding;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
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
    private final SystemScheduler scheduler = new SystemScheduler("agent-timers");
    private final LocalAgent localAgent;
    private final ServerHealth serverHealth;
    private Thread registrationThread;
    private Thread healthThread;

    /** @param servers a channel to any server's RPC port (or to an in-process server role) */
    public Sidecar(SidecarConfig config, Channel servers) {
        this.config = config;
        Node self = Node.newBuilder().setName(config.nodeName()).setAddress(config.nodeAddress())
                .setDatacenter(config.datacenter()).build();
        CatalogGrpc.CatalogBlockingStub catalog = CatalogGrpc.newBlockingStub(servers);
        this.nodeRegistration = new NodeRegistration(self, catalog);
        this.localAgent = new LocalAgent(config.local(), self, catalog, scheduler);
        if (servers instanceof ManagedChannel managed) {
            localAgent.beforeSyncRetry(managed::resetConnectBackoff);
        }
        this.serverHealth = new ServerHealth(StatusGrpc.newBlockingStub(servers), health);
        AgentRpc agent = new AgentRpc(localAgent);
        this.server = NettyServerBuilder.forAddress(config.grpcBind())
                .maxInboundMessageSize(config.maxMessageBytes())
                .addService(ServerInterceptors.intercept(agent, new ErrorMappingInterceptor()))
                .addService(Forwarding.forward(CatalogGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(KVGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(WatchGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SessionsGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(TxnGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(SnapshotGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(OperatorGrpc.getServiceDescriptor(), servers))
                .addService(Forwarding.forward(StatusGrpc.getServiceDescriptor(), servers))
                .addService(health.getHealthService())
                .build();
    }

    /**
     * Restores the data dir and reads the config dir (a bad definition fails the start), binds
     * the gRPC listener and starts registering the node; returns the bound address.
     */
    public InetSocketAddress start() throws IOException {
        localAgent.start();
        server.start();
        health.setStatus("", ServingStatus.NOT_SERVING);
        registrationThread = Thread.ofVirtual().name("node-registration").start(nodeRegistration);
        healthThread = Thread.ofVirtual().name("agent-health").start(serverHealth);
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

    /** The node's services and checks (for in-process callers: reload on SIGHUP, tests). */
    public LocalAgent localAgent() {
        return localAgent;
    }

    @Override
    public void close() {
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
    }
}
