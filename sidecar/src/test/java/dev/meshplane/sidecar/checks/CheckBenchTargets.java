package dev.meshplane.sidecar.checks;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Executors;

/**
 * The targets of {@link CheckBenchmark}, in their own process so that the agent's CPU figure is
 * the agent's alone: a grpc-java server with grpc.health.v1, an HTTP server and a TCP listener.
 * Prints "grpcPort httpPort tcpPort" and serves until its standard input closes.
 */
public final class CheckBenchTargets {
    private CheckBenchTargets() {}

    public static void main(String[] args) throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        for (int i = 0; i < 100; i++) {
            health.setStatus("svc-" + i, ServingStatus.SERVING);
        }
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService()).build().start();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] ok = "ok".getBytes();
        http.createContext("/health", ex -> {
            ex.sendResponseHeaders(200, ok.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(ok);
            }
        });
        http.start();
        ServerSocket tcp = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = tcp.accept();
                    s.close();
                }
            } catch (Exception closed) {
                // shutting down
            }
        });
        System.out.println(((InetSocketAddress) grpc.getListenSockets().get(0)).getPort() + " "
                + http.getAddress().getPort() + " " + tcp.getLocalPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent goes away
        }
        grpc.shutdownNow();
        http.stop(0);
        tcp.close();
    }
}
