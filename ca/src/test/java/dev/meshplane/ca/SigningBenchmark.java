package dev.meshplane.ca;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Measures CSR signing on the leader: check the CSR, authorize, build and sign the leaf, encode
 * PEM; exactly what one signing RPC costs the CA library. Prints signings per second and
 * latency percentiles on one thread and on all cores, with CPU time and heap. Not a test.
 *
 * <p>Run (see docs/ca.md): {@code ./mvnw -q -pl ca -am process-test-classes -Pca-bench}, with
 * {@code -Dbench.seconds=N} (default 5) per phase, {@code -Dbench.warmup=N} (default 5) and
 * {@code -Dbench.threads=N} (default 0: all cores). "Process CPU" includes JIT and GC threads.
 */
public final class SigningBenchmark {
    private static final TrustDomain TD = TrustDomain.forCluster("0e8a3c52-8d7b-4f59-9c8b-2f6a4f1d0c11");
    /** Distinct CSRs (distinct keys) cycled through, so no cache of any kind can flatter the figure. */
    private static final int DISTINCT_CSRS = 1_000;

    private SigningBenchmark() {}

    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(Long.getLong("bench.seconds", 5));
        int cores = Runtime.getRuntime().availableProcessors();
        int requested = Integer.getInteger("bench.threads", 0);
        int threads = requested > 0 ? requested : cores;
        System.out.printf(Locale.ROOT, "CSR signing benchmark: %s, %d cores available, %d s per phase%n",
                Runtime.version(), cores, phase.toSeconds());

        System.out.println("load average before: " + loadAverage());

        SigningCa root = SigningCa.generateRoot(TD, Instant.now(), CaConfig.DEFAULTS);
        LeafSigner signer = new LeafSigner(root, "dc1", CaConfig.DEFAULTS, InstantSource.system());
        SigningAuthorizer authorizer = SigningAuthorizer.services(Set.of("web"));
        SpiffeId web = SpiffeId.of(TD, "dc1", "web");
        String[] csrs = new String[DISTINCT_CSRS];
        for (int i = 0; i < csrs.length; i++) {
            csrs[i] = LeafCsr.create(EcKeys.generateP256(), web);
        }

        IntConsumer signOne = i -> signer.sign(csrs[i % csrs.length], authorizer);
        run("warm-up", threads, Duration.ofSeconds(Long.getLong("bench.warmup", 5)), signOne, false);
        run("sign, 1 thread", 1, phase, signOne, true);
        run("sign, " + threads + " threads", threads, phase, signOne, true);
        // How much of a signing is the CSR check (parse, P-256 check, signature verification).
        run("CSR check only, 1 thread", 1, phase,
                i -> CsrCheck.check(csrs[i % csrs.length], CaConfig.DEFAULTS.maxCsrPemBytes()), true);
        // The sidecar's side, for comparison: a fresh key pair and a CSR for it.
        run("sidecar key+CSR, 1 thread", 1, phase, i -> LeafCsr.create(EcKeys.generateP256(), web), true);
        System.out.println("load average after: " + loadAverage());
    }

    /** The machine's load, printed so that figures from a shared machine can be read for what they are. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static void run(String name, int threads, Duration length, IntConsumer op, boolean print)
            throws InterruptedException {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threadBean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<long[]> latencies = new ArrayList<>();
        int[] counts = new int[threads];
        AtomicLong allocated = new AtomicLong();
        AtomicLong workerCpu = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int id = t;
            long[] mine = new long[1 << 16];
            latencies.add(mine);
            workers.add(Thread.ofPlatform().name("bench-" + t).start(() -> {
                long[] samples = mine;
                int n = 0;
                awaitQuietly(start);
                long allocatedBefore = threadBean.getCurrentThreadAllocatedBytes();
                long cpuBefore = threadBean.getCurrentThreadCpuTime();
                for (int i = id; ; i += threads) {
                    long began = System.nanoTime();
                    if (began >= deadline[0]) {
                        break;
                    }
                    op.accept(i);
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = System.nanoTime() - began;
                }
                allocated.addAndGet(threadBean.getCurrentThreadAllocatedBytes() - allocatedBefore);
                workerCpu.addAndGet(threadBean.getCurrentThreadCpuTime() - cpuBefore);
                latencies.set(id, Arrays.copyOf(samples, n));
                counts[id] = n;
            }));
        }
        long cpuBefore = os.getProcessCpuTime();
        long began = System.nanoTime();
        deadline[0] = began + length.toNanos();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        long cpu = os.getProcessCpuTime() - cpuBefore;
        if (!print) {
            return;
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long ops = Arrays.stream(counts).asLongStream().sum();
        System.gc();
        System.out.printf(Locale.ROOT,
                "%-26s %,8d ops %,7.0f /s | latency us p50 %,7.0f p99 %,7.0f p999 %,7.0f max %,7.0f"
                        + " | CPU us/op: signing threads %,5.0f, process %,5.0f (%.2f cores busy)"
                        + " | alloc %,5.1f KiB/op, heap after GC %,.1f MiB%n",
                name, ops, ops / seconds, pct(all, 0.50), pct(all, 0.99), pct(all, 0.999),
                all.length == 0 ? 0.0 : all[all.length - 1] / 1e3, workerCpu.get() / 1e3 / Math.max(1, ops),
                cpu / 1e3 / Math.max(1, ops), cpu / 1e9 / seconds,
                allocated.get() / 1024.0 / Math.max(1, ops), memory.getHeapMemoryUsage().getUsed() / 1048576.0);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e3;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
