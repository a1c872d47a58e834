package dev.meshplane.sidecar.checks;

import com.sun.management.OperatingSystemMXBean;
import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.HttpCheck;
import dev.meshplane.proto.v1.TcpCheck;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One check runner with N checks at a 1 s interval against local targets in another process:
 * prints the agent process's CPU (cores used), heap after GC and peak, and how late check runs
 * started (p50/p99/p999/max). Not a test: run with
 * {@code ./mvnw -q -pl sidecar -am process-test-classes -Pcheck-bench [-Dbench.checks=5000 -Dbench.seconds=60]}.
 */
public final class CheckBenchmark {
    /** "all" (the mix below) or one kind only: "grpc", "http", "tcp". */
    private static final String MIX = System.getProperty("bench.mix", "all");

    private CheckBenchmark() {}

    public static void main(String[] args) throws Exception {
        int checks = Integer.getInteger("bench.checks", 5000);
        int seconds = Integer.getInteger("bench.seconds", 60);
        int warmup = Integer.getInteger("bench.warmup", 10);
        Process targets = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CheckBenchTargets.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String[] ports = new BufferedReader(new InputStreamReader(targets.getInputStream())).readLine().split(" ");
            run(checks, seconds, warmup, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]), Integer.parseInt(ports[2]));
        } finally {
            targets.getOutputStream().close();
            targets.destroy();
        }
    }

    private static void run(int checks, int seconds, int warmup, int grpcPort, int httpPort, int tcpPort)
            throws Exception {
        Recorder results = new Recorder();
        LatencyLog lateness = new LatencyLog(checks * (seconds + warmup + 5));
        AtomicInteger measuring = new AtomicInteger();
        try (SystemScheduler scheduler = new SystemScheduler("bench-timers");
             CheckRunner runner = new CheckRunner(ChecksConfig.DEFAULTS, scheduler, results,
                     (sid, ex) -> Optional.empty(), "bench-node", null)) {
            runner.stats().onLateness(n -> {
                if (measuring.get() == 1) {
                    lateness.add(n);
                }
            });
            // 40 % gRPC (spread over 100 service names on one server), 30 % HTTP, 30 % TCP.
            for (int i = 0; i < checks; i++) {
                CheckDefinition.Builder b = CheckDefinition.newBuilder().setId("c" + i)
                        .setInterval(Durations.toProto(Duration.ofSeconds(1)));
                switch (MIX.equals("all") ? i % 10 : MIX.equals("grpc") ? 0 : MIX.equals("http") ? 4 : 9) {
                    case 0, 1, 2, 3 -> b.setGrpc(GrpcCheck.newBuilder().setTarget("127.0.0.1:" + grpcPort + "/svc-" + (i % 100)));
                    case 4, 5, 6 -> b.setHttp(HttpCheck.newBuilder().setUrl("http://127.0.0.1:" + httpPort + "/health"));
                    default -> b.setTcp(TcpCheck.newBuilder().setAddress("127.0.0.1:" + tcpPort));
                }
                CheckDefinition def = runner.normalize("check", b.build());
                runner.start(runner.prepare("check", def));
            }
            System.out.println("Java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
            System.out.printf("%d checks at 1 s (%s); warm-up %d s, measuring %d s%n", checks,
                    MIX.equals("all") ? "40% grpc, 30% http, 30% tcp" : "all " + MIX, warmup, seconds);
            Thread.sleep(Duration.ofSeconds(warmup));
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long startedBefore = runner.stats().started();
            long cpuBefore = os.getProcessCpuTime();
            long wallBefore = System.nanoTime();
            long peakHeap = 0;
            measuring.set(1);
            for (int s = 0; s < seconds; s++) {
                Thread.sleep(1000);
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
            }
            measuring.set(0);
            double cores = (os.getProcessCpuTime() - cpuBefore) / (double) (System.nanoTime() - wallBefore);
            long runs = runner.stats().started() - startedBefore;
            System.gc();
            long heapAfterGc = memory.getHeapMemoryUsage().getUsed();
            long passing = 0;
            String failure = null;
            for (int i = 0; i < checks; i++) {
                Recorder.Report r = results.latest("c" + i);
                if (r != null && r.status() == HealthStatus.HEALTH_STATUS_PASSING) {
                    passing++;
                } else if (failure == null && r != null) {
                    failure = r.output();
                }
            }
            if (failure != null) {
                System.out.println("a failing check: " + failure);
            }
            System.out.printf("runs: %d in %d s (%.0f/s); passing checks at the end: %d of %d; skipped (still running): %d;"
                            + " cut off at timeout: %d%n", runs, seconds, runs / (double) seconds, passing, checks,
                    runner.stats().skippedBusy(), runner.stats().timedOut());
            System.out.printf("CPU: %.2f cores (agent process, %d available)%n", cores, os.getAvailableProcessors());
            System.out.printf("heap: %.1f MiB after GC, %.1f MiB peak used%n", heapAfterGc / 1048576.0,
                    peakHeap / 1048576.0);
            System.out.println("check-start lateness: " + lateness.summary());
        }
    }

    /** Every sample, sorted at the end: exact percentiles. */
    static final class LatencyLog {
        private final long[] samples;
        private int size;

        LatencyLog(int capacity) {
            samples = new long[capacity];
        }

        synchronized void add(long nanos) {
            if (size < samples.length) {
                samples[size++] = nanos;
            }
        }

        synchronized String summary() {
            long[] sorted = Arrays.copyOf(samples, size);
            Arrays.sort(sorted);
            if (sorted.length == 0) {
                return "no samples";
            }
            List<double[]> qs = List.of(new double[] {0.5}, new double[] {0.99}, new double[] {0.999});
            StringBuilder b = new StringBuilder();
            for (double[] q : qs) {
                b.append(String.format("p%s %.2f ms, ", q[0] == 0.5 ? "50" : q[0] == 0.99 ? "99" : "999",
                        sorted[Math.min(sorted.length - 1, (int) (q[0] * sorted.length))] / 1e6));
            }
            return b.append(String.format("max %.2f ms (%d samples)", sorted[sorted.length - 1] / 1e6, sorted.length))
                    .toString();
        }
    }
}
