package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.HealthStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP connects to real sockets and scripts run as real processes. */
class TcpAndScriptProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void tcpOpenIsPassingAndClosedCritical() throws Exception {
        int port;
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = open.getLocalPort();
            CheckResult r = new TcpProbe("tcp", "127.0.0.1:" + port).run(TIMEOUT);
            assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status());
            assertEquals("TCP connect 127.0.0.1:" + port + ": Success", r.output());
        }
        CheckResult r = new TcpProbe("tcp", "127.0.0.1:" + port).run(TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("Connection refused"), r.output());
    }

    private static CheckResult script(Duration timeout, String... args) throws Exception {
        return new ScriptProbe(List.of(args)).run(timeout);
    }

    @Test
    void exitCodesMapToPassingWarningCritical() throws Exception {
        CheckResult ok = script(TIMEOUT, "sh", "-c", "echo fine; exit 0");
        assertEquals(new CheckResult(HealthStatus.HEALTH_STATUS_PASSING, "fine\n"), ok);
        CheckResult warn = script(TIMEOUT, "sh", "-c", "echo hmm >&2; exit 1");
        assertEquals(new CheckResult(HealthStatus.HEALTH_STATUS_WARNING, "hmm\n"), warn, "stderr is captured too");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, script(TIMEOUT, "sh", "-c", "exit 2").status());
        assertEquals("exit status 2", script(TIMEOUT, "sh", "-c", "exit 2").output());
        CheckResult missing = script(TIMEOUT, "/nonexistent/program");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, missing.status());
        assertTrue(missing.output().startsWith("cannot start /nonexistent/program"), missing.output());
    }

    @Test
    void outputKeepsTheLast4KiB() throws Exception {
        CheckResult r = script(TIMEOUT, "sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done");
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status());
        assertEquals(ScriptProbe.OUTPUT_BYTES, r.output().length());
        assertTrue(r.output().endsWith("line1999\n"), "the end is kept");
        assertFalse(r.output().contains("line0\n"));
    }

    @Test
    void aTimeoutKillsTheProcessAndItsChildren(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        CheckResult r = script(Duration.ofMillis(800), "sh", "-c",
                "sleep 120 & echo $! > " + pidFile + "; echo started; wait");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().startsWith("timed out after 800ms; killed the process and its children. Output: started"),
                r.output());
        long child = Long.parseLong(Files.readString(pidFile).trim());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child sleep was killed");
    }
}
