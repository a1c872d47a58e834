package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HealthStatus;
import io.grpc.Attributes;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** grpc.health.v1 checks against real grpc-java servers on loopback. */
class GrpcProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final GrpcChannels channels = new GrpcChannels();
    private final HealthStatusManager health = new HealthStatusManager();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Server server;

    private Server startServer(int port) throws Exception {
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(health.getHealthService())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attrs) {
                        connections.incrementAndGet();
                        return attrs;
                    }
                })
                .build().start();
        cleanup.add(() -> s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return s;
    }

    private GrpcProbe probe(String target) {
        GrpcProbe p = new GrpcProbe("check.grpc", GrpcCheck.newBuilder().setTarget(target).build(), channels);
        cleanup.add(p::close);
        return p;
    }

    private int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        channels.close();
    }

    @Test
    void servingIsPassingAndEveryOtherAnswerIsCriticalSayingWhich() throws Exception {
        server = startServer(0);
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("billing", ServingStatus.NOT_SERVING);
        GrpcProbe whole = probe("127.0.0.1:" + port());
        GrpcProbe billing = probe("127.0.0.1:" + port() + "/billing");
        GrpcProbe unknown = probe("localhost:" + port() + "/nope");

        CheckResult r = whole.run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status(), r.output());
        assertEquals("gRPC health check of 127.0.0.1:" + port() + ": SERVING", r.output());

        r = billing.run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().endsWith("/billing: NOT_SERVING"), r.output());

        health.setStatus("billing", ServingStatus.SERVING);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, billing.run(TIMEOUT).status(), "status flips are seen");
        health.setStatus("", ServingStatus.NOT_SERVING);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, whole.run(TIMEOUT).status());

        r = unknown.run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("does not know the service \"nope\" (NOT_FOUND)"), r.output());

        health.clearStatus("billing");
        r = billing.run(TIMEOUT);
        assertTrue(r.output().contains("(NOT_FOUND)"), r.output());
    }

    @Test
    void checksOfOneTargetShareOneConnectionAcrossRuns() throws Exception {
        server = startServer(0);
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("a", ServingStatus.SERVING);
        GrpcProbe p1 = probe("127.0.0.1:" + port());
        GrpcProbe p2 = probe("127.0.0.1:" + port() + "/a");
        for (int i = 0; i < 10; i++) {
            assertEquals(HealthStatus.HEALTH_STATUS_PASSING, p1.run(TIMEOUT).status());
            assertEquals(HealthStatus.HEALTH_STATUS_PASSING, p2.run(TIMEOUT).status());
        }
        assertEquals(1, channels.size());
        assertEquals(1, connections.get(), "20 checks, one connection");
        p1.close();
        assertEquals(1, channels.size(), "still used by the other check");
        p2.close();
        assertEquals(0, channels.size(), "closed with its last user");
    }

    @Test
    void aStoppedServerIsCriticalAndARestartedOneIsPassingAtTheNextRun() throws Exception {
        server = startServer(0);
        int port = port();
        health.setStatus("", ServingStatus.SERVING);
        GrpcProbe p = probe("127.0.0.1:" + port);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, p.run(TIMEOUT).status());

        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (int i = 0; i < 4; i++) { // several failures grow the channel's reconnect back-off
            CheckResult r = p.run(TIMEOUT);
            assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
            assertTrue(r.output().contains("cannot reach the server") && r.output().contains("(UNAVAILABLE)"), r.output());
        }
        server = startServer(port);
        CheckResult r = p.run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status(),
                "the first run after the restart reconnects instead of waiting out the back-off: " + r.output());
    }

    @Test
    void aServerThatNeverAnswersIsCriticalAfterTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (Exception closed) {
                    // test over
                }
            });
            GrpcProbe p = probe("127.0.0.1:" + silent.getLocalPort());
            CheckResult r = p.run(Duration.ofMillis(700));
            assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
            assertTrue(r.output().contains("no answer within 700ms (DEADLINE_EXCEEDED)"), r.output());
            acceptor.interrupt();
        }
    }

    @Test
    void aServerWithoutTheHealthServiceIsCriticalNamingIt() throws Exception {
        Server bare = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(io.grpc.ServerServiceDefinition.builder("other.Service").build()).build().start();
        cleanup.add(() -> bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        int port = ((InetSocketAddress) bare.getListenSockets().get(0)).getPort();
        CheckResult r = probe("127.0.0.1:" + port).run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("does not implement grpc.health.v1 (UNIMPLEMENTED)"), r.output());
    }
}
