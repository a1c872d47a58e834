package dev.meshplane.bench;

import dev.meshplane.ca.CsrRateLimiter;
import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.SidecarService;
import dev.meshplane.proto.v1.Upstream;
import dev.meshplane.sidecar.Sidecar;
import dev.meshplane.sidecar.SidecarConfig;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * A server role (log in memory, CSR limit off) and two sidecars in this JVM: "web" on node
 * client-node with an upstream to "db", and "db" on node server-node in front of the echo
 * application. Traffic to {@link #upstreamPort()} crosses web's sidecar, an mTLS hop, and db's
 * sidecar.
 */
final class MeshPair implements AutoCloseable {
    final ControlPlane server;
    private final Server inProcess;
    final ManagedChannel toServer;
    private final Sidecar dbSide;
    private final Sidecar webSide;
    private final int upstreamPort;

    MeshPair(int appPort) throws Exception {
        ServerConfig config = ServerConfig.dev("127.0.0.1:8300").withConnect(ConnectConfig.defaults("dc1")
                .withCsrRate(new CsrRateLimiter.Config(0, 1)));
        server = ControlPlane.inMemory(config);
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        server.services().forEach(b::addService);
        inProcess = b.build().start();
        toServer = InProcessChannelBuilder.forName(name).build();
        int[] ports = freePorts(3);
        upstreamPort = ports[2];
        dbSide = sidecar("server-node");
        webSide = sidecar("client-node");
        register(dbSide, Service.newBuilder().setName("db").setId("db-1").setPort(appPort).setConnect(ServiceConnect
                .newBuilder().setSidecarService(SidecarService.newBuilder().setPort(ports[0]))).build());
        register(webSide, Service.newBuilder().setName("web").setId("web-1").setPort(9).setConnect(ServiceConnect
                .newBuilder().setSidecarService(SidecarService.newBuilder().setPort(ports[1]).setProxy(SidecarProxy
                        .newBuilder().addUpstreams(Upstream.newBuilder().setDestinationName("db")
                                .setLocalBindPort(upstreamPort))))).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(dbSide.connect().ready("db-1") && webSide.connect().ready("web-1"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sidecars did not become ready in 60 s");
            }
            Thread.sleep(20);
        }
    }

    private Sidecar sidecar(String node) throws IOException, InterruptedException {
        Sidecar s = new Sidecar(new SidecarConfig(node, "127.0.0.1", "dc1", new InetSocketAddress("127.0.0.1", 0),
                SidecarConfig.DEFAULT_WRITE_TIMEOUT, SidecarConfig.DEFAULT_MAX_MESSAGE_BYTES), toServer,
                ConnectAgentConfig.defaults());
        s.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!s.nodeRegistered()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + node + " did not register");
            }
            Thread.sleep(10);
        }
        return s;
    }

    private static void register(Sidecar side, Service service) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", side.grpcAddress().getPort()).usePlaintext()
                .build();
        try {
            AgentGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .registerService(RegisterServiceRequest.newBuilder().setService(service).build());
        } finally {
            ch.shutdownNow();
        }
    }

    static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        ServerSocket[] held = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0);
                ports[i] = held[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    int upstreamPort() {
        return upstreamPort;
    }

    @Override
    public void close() throws InterruptedException {
        webSide.close();
        dbSide.close();
        toServer.shutdownNow();
        inProcess.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }
}
