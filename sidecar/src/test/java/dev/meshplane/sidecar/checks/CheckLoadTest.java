package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.HttpCheck;
import dev.meshplane.proto.v1.TcpCheck;
import dev.meshplane.proto.v1.TtlCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * 3,000 checks on one runner with real sockets: 1,500 TCP checks at a 1 s interval, 1,500 TTL
 * checks (half kept alive, half left to expire) and 20 HTTP checks against a server that never
 * answers. Asserts behaviour only: every TCP check keeps running and passing while the hanging
 * targets are cut off at their timeout, and every TTL check ends where it should.
 */
class CheckLoadTest {
    private static final int TCP = 1500;
    private static final int TTL = 1500;
    private static final int HANGING = 20;

    @Test
    void threeThousandChecksRunAndAHangingTargetDelaysNoOther() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        HttpServer hang = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        hang.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hang.createContext("/", ex -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        hang.start();
        try (ServerSocket listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
             SystemScheduler scheduler = new SystemScheduler("load-test-timers")) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = listener.accept();
                        s.close();
                    }
                } catch (Exception closed) {
                    // listener closed: test over
                }
            });
            Recorder recorder = new Recorder();
            CheckRunner runner = new CheckRunner(ChecksConfig.DEFAULTS, scheduler, recorder,
                    (sid, ex) -> Optional.empty(), "node-1", null);
            String tcpTarget = "127.0.0.1:" + listener.getLocalPort();
            for (int i = 0; i < TCP; i++) {
                start(runner, CheckDefinition.newBuilder().setId("tcp-" + i)
                        .setInterval(Durations.toProto(Duration.ofSeconds(1)))
                        .setTcp(TcpCheck.newBuilder().setAddress(tcpTarget)).build());
            }
            for (int i = 0; i < TTL; i++) {
                start(runner, CheckDefinition.newBuilder().setId("ttl-" + i)
                        .setTtl(TtlCheck.newBuilder().setTtl(Durations.toProto(Duration.ofSeconds(2)))).build());
            }
            for (int i = 0; i < HANGING; i++) {
                start(runner, CheckDefinition.newBuilder().setId("hang-" + i)
                        .setInterval(Durations.toProto(Duration.ofSeconds(1)))
                        .setTimeout(Durations.toProto(Duration.ofMillis(1500)))
                        .setHttp(HttpCheck.newBuilder().setUrl("http://127.0.0.1:" + hang.getAddress().getPort() + "/"))
                        .build());
            }
            assertEquals(TCP + TTL + HANGING, runner.size());

            // Keep half of the TTL checks alive for 4.5 s; the other half expire after 2 s.
            long end = System.nanoTime() + Duration.ofMillis(4500).toNanos();
            while (System.nanoTime() < end) {
                for (int i = 0; i < TTL / 2; i++) {
                    runner.updateTtl("ttl-" + i, HealthStatus.HEALTH_STATUS_PASSING, "alive");
                }
                Thread.sleep(500);
            }

            for (int i = 0; i < TCP; i++) {
                assertTrue(runner.completedRuns("tcp-" + i) >= 2, "tcp-" + i + " ran " + runner.completedRuns("tcp-" + i)
                        + " times in 4.5 s at a 1 s interval");
                assertEquals(HealthStatus.HEALTH_STATUS_PASSING, recorder.latest("tcp-" + i).status(), "tcp-" + i);
            }
            for (int i = 0; i < HANGING; i++) {
                Recorder.Report r = recorder.latest("hang-" + i);
                assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
                assertTrue(r.output().endsWith("no response within 1.5s"), r.output());
            }
            assertTrue(runner.stats().skippedBusy() > 0, "the hanging checks overlapped their next slot");
            for (int i = 0; i < TTL; i++) {
                HealthStatus expected = i < TTL / 2 ? HealthStatus.HEALTH_STATUS_PASSING : HealthStatus.HEALTH_STATUS_CRITICAL;
                assertEquals(expected, recorder.latest("ttl-" + i).status(), "ttl-" + i);
            }
            runner.close();
            acceptor.interrupt();
        } finally {
            never.countDown();
            hang.stop(0);
        }
    }

    private static void start(CheckRunner runner, CheckDefinition def) {
        CheckDefinition normalized = runner.normalize("check", def);
        runner.start(runner.prepare("check", normalized));
    }
}
