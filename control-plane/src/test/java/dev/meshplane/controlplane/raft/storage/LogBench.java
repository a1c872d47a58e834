package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * Measures the log's append + fsync path on this machine and prints the figures (a program, not
 * a test). Two workloads, 256-byte entries, fsync on every step:
 * <ul>
 *   <li>batch: one writer appends batches of B entries and syncs each (B = 1, 16, 64, 256) —
 *       what the Raft driver does with a Ready's entries; latency is per batch;</li>
 *   <li>group: N threads each append one entry and call sync (N = 1, 16, 64, 256), sharing
 *       fsyncs — what concurrent proposers see; latency is per entry.</li>
 * </ul>
 * Usage (see docs/raft-storage.md): {@code LogBench [dir] [seconds per case]}. The directory
 * must be on the disk under test (not tmpfs); it is emptied after each case.
 */
public final class LogBench {
    private static final int ENTRY_DATA_BYTES = 256;
    private static final int[] SIZES = {1, 16, 64, 256};

    private LogBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/log-bench");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        System.out.printf("LogBench: %d-byte entries, %.1f s per case, dir %s, %d CPUs, java %s, load average %s%n",
                ENTRY_DATA_BYTES, seconds, dir.toAbsolutePath(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
        System.out.printf("%-6s %5s %10s %10s %9s %9s %9s %9s %9s %10s %8s%n", "mode", "size", "entries/s",
                "MiB/s", "fsyncs/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "CPU us/ent", "heap MiB");
        for (int b : SIZES) {
            report("batch", b, runBatches(dir, b, seconds));
        }
        for (int n : SIZES) {
            report("group", n, runGroup(dir, n, seconds));
        }
    }

    record Result(long entries, long fsyncs, double seconds, long[] latenciesNanos, long cpuNanos) {}

    static Result runBatches(Path dir, int batch, double seconds) throws IOException {
        clean(dir);
        Samples samples = new Samples();
        long entries = 0;
        long fsyncs;
        long cpu;
        double elapsed;
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            warmUp(log);
            long next = log.lastIndex() + 1;
            long f0 = log.fsyncCount();
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                List<RaftEntry> entriesToWrite = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    entriesToWrite.add(entry(next + i));
                }
                long t0 = System.nanoTime();
                log.append(entriesToWrite);
                log.sync();
                samples.add(System.nanoTime() - t0);
                next += batch;
                entries += batch;
            }
            elapsed = (System.nanoTime() - start) / 1e9;
            cpu = processCpuNanos() - cpu0;
            fsyncs = log.fsyncCount() - f0;
        }
        clean(dir);
        return new Result(entries, fsyncs, elapsed, samples.sorted(), cpu);
    }

    static Result runGroup(Path dir, int threads, double seconds) throws Exception {
        clean(dir);
        Samples[] perThread = new Samples[threads];
        long[] counts = new long[threads];
        long fsyncs;
        long cpu;
        double elapsed;
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            warmUp(log);
            Object appendLock = new Object();
            CountDownLatch go = new CountDownLatch(1);
            long f0 = log.fsyncCount();
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                perThread[id] = new Samples();
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        while (System.nanoTime() < deadline) {
                            long t0 = System.nanoTime();
                            synchronized (appendLock) {
                                log.append(List.of(entry(log.lastIndex() + 1)));
                            }
                            log.sync();
                            perThread[id].add(System.nanoTime() - t0);
                            counts[id]++;
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            elapsed = (System.nanoTime() - start) / 1e9;
            cpu = processCpuNanos() - cpu0;
            fsyncs = log.fsyncCount() - f0;
        }
        clean(dir);
        Samples all = new Samples();
        for (Samples s : perThread) {
            all.addAll(s);
        }
        return new Result(Arrays.stream(counts).sum(), fsyncs, elapsed, all.sorted(), cpu);
    }

    private static void warmUp(SegmentedLog log) throws IOException {
        long next = log.lastIndex() + 1;
        for (int i = 0; i < 2000; i++) {
            log.append(List.of(entry(next++)));
            if (i % 8 == 0) {
                log.sync();
            }
        }
        log.sync();
    }

    private static final ByteString DATA = ByteString.copyFrom(new byte[ENTRY_DATA_BYTES]);

    private static RaftEntry entry(long index) {
        return RaftEntry.newBuilder().setIndex(index).setTerm(1).setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(DATA).build();
    }

    private static void report(String mode, int size, Result r) {
        long[] l = r.latenciesNanos();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        double entryBytes = Frame.size(entry(1).getSerializedSize());
        System.out.printf("%-6s %5d %10.0f %10.1f %9.0f %9.3f %9.3f %9.3f %9.3f %10.1f %8.1f%n", mode, size,
                r.entries() / r.seconds(), r.entries() * entryBytes / r.seconds() / (1 << 20), r.fsyncs() / r.seconds(),
                pct(l, 0.50), pct(l, 0.99), pct(l, 0.999), l.length == 0 ? 0 : l[l.length - 1] / 1e6,
                r.cpuNanos() / 1e3 / Math.max(1, r.entries()), heap / (double) (1 << 20));
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** The 1-minute load average: other work on the machine shows in the tails. */
    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "n/a" : String.format("%.2f", load);
    }

    private static void clean(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A growable array of latency samples. */
    static final class Samples {
        private long[] values = new long[1024];
        private int n;

        void add(long v) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }

        void addAll(Samples other) {
            for (int i = 0; i < other.n; i++) {
                add(other.values[i]);
            }
        }

        long[] sorted() {
            long[] out = Arrays.copyOf(values, n);
            Arrays.sort(out);
            return out;
        }
    }
}
