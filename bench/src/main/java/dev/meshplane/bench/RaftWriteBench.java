package dev.meshplane.bench;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.LeaderRequest;
import dev.meshplane.proto.v1.StatusGrpc;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes of 256-byte values into a 3-server cluster on loopback, fsync on, by N concurrent
 * clients (each waits for its write before the next), for N = 1, 16, 64, 256; prints writes/s,
 * p50/p99/p999 latency, server and client CPU per write and the servers' resident memory (heap from their
 * GC logs at the end). Each system first gets an unreported warm-up (JIT, connections) until its JIT is idle. When the `etcd` binary is on PATH, a 3-member
 * etcd gets the same workload through jetcd in the same run, and the ratio is printed.
 *
 * <p>Usage: RaftWriteBench [seconds-per-step (10)] [client counts (1,16,64,256)]; {@code -Dbench.warmup=S}
 * caps the warm-up (default 240; it ends earlier once the servers' JIT compilers are idle), {@code -Dbench.jfr=true} records JFR on every server,
 * {@code -Dbench.etcd=false} skips etcd (profiling runs), {@code -Dbench.leaderOnly=true} sends every write to
 * the Meshplane leader (no forwarding), {@code -Dbench.stats=true} has each server log its Raft loop's work.
 */
public final class RaftWriteBench {
    interface Writer {
        void put(String key, byte[] value) throws Exception;
    }

    record Row(String system, int clients, double writesPerSecond, double p50, double p99, double p999,
               double cpuMicrosPerWrite, double serverCores, double clientMicrosPerWrite, long rssMib, long errors) {}


    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0]) : 10;
        int[] steps = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 16, 64, 256};
        Path dir = Files.createTempDirectory("meshplane-bench-");
        int warmup = Integer.getInteger("bench.warmup", 240);
        System.out.printf("raft write benchmark: 3 servers on loopback, 256-byte values, %d s per step after a warm-up"
                        + " of up to %d s, %d cores, load average %s%n",
                seconds, warmup, Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Row> rows = new ArrayList<>();
        Path meshDir = dir.resolve("meshplane");
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC", "--sun-misc-unsafe-memory-access=allow",
                "-Xlog:gc:file=" + meshDir + "/gc-%p.log"));
        if (Boolean.getBoolean("bench.jfr")) {
            // CPU samples and lock/park/IO waits of every server, for finding where a write's time goes.
            jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + meshDir + "/s-%p.jfr,dumponexit=true");
            System.out.println("JFR recordings: " + meshDir + "/s-<pid>.jfr");
        }
        if (Boolean.getBoolean("bench.stats")) {
            // Each server logs its Raft loop's work per write (Readies, fsyncs, messages, loop CPU).
            jvm.add("-Dmeshplane.raft.stats=5");
            System.setProperty("bench.serverLogLevel", "info");
            System.out.println("raft loop stats every 5 s in " + meshDir + "/s<N>.log");
        }
        try (var cluster = new ServerCluster.Meshplane(meshDir, jvm)) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (String a : cluster.clientAddresses()) {
                channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
            }
            awaitMeshplane(channels);
            List<ManagedChannel> targets = channels;
            if (Boolean.getBoolean("bench.leaderOnly")) {
                // Isolates the cost of followers forwarding writes to the leader.
                String leader = StatusGrpc.newBlockingStub(channels.get(0)).leader(LeaderRequest.getDefaultInstance())
                        .getAddress();
                targets = List.of(channels.get(cluster.clientAddresses().indexOf(leader)));
                System.out.println("every client writes to the leader " + leader + " (-Dbench.leaderOnly=true)");
            }
            List<ManagedChannel> chosen = targets;
            WriterFactory writers = client -> {
                var kv = KVGrpc.newBlockingStub(chosen.get(client % chosen.size()));
                return (key, value) -> kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(KvPutRequest.newBuilder()
                        .setKey(key).setValue(ByteString.copyFrom(value)).build());
            };
            warmUp("meshplane", warmup, steps, cluster, writers);
            for (int n : steps) {
                rows.add(run("meshplane", n, seconds, cluster, writers));
                print(rows.get(rows.size() - 1));
            }
            channels.forEach(ManagedChannel::shutdownNow);
        }
        System.out.println("meshplane server heap (G1, from GC logs): " + GcLogs.summary(meshDir));
        if (!Boolean.parseBoolean(System.getProperty("bench.etcd", "true"))) {
            System.out.println("etcd skipped (-Dbench.etcd=false)");
        } else if (ServerCluster.Etcd.installed()) {
            try (var etcd = new ServerCluster.Etcd(dir.resolve("etcd"))) {
                List<String> endpoints = new ArrayList<>();
                for (String a : etcd.clientAddresses()) {
                    endpoints.add("http://" + a);
                }
                try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
                    awaitEtcd(client);
                    WriterFactory writers = c -> (key, value) -> client.getKVClient()
                            .put(ByteSequence.from(key.getBytes()), ByteSequence.from(value))
                            .get(30, TimeUnit.SECONDS);
                    warmUp("etcd", warmup, steps, etcd, writers);
                    for (int n : steps) {
                        rows.add(run("etcd", n, seconds, etcd, writers));
                        print(rows.get(rows.size() - 1));
                    }
                }
            }
        } else {
            System.out.println("etcd is not on PATH (Debian: apt-get install etcd-server): no peer figures this run");
        }
        summary(rows);
        System.out.println("load average at the end: " + loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Warm-up ends once the JIT compilers use less than this share of the servers' CPU in a round. */
    static final double JIT_SETTLED_SHARE = 0.05;

    /**
     * Writes in 5 s rounds, cycling through the steps' client counts (each count exercises other
     * paths), until the servers' JIT compilers are idle (under {@link #JIT_SETTLED_SHARE} of their
     * CPU in a round, after at least one round per count) or {@code maxSeconds} pass. On this shared
     * 2-core machine three JVMs' compilers need minutes: after a fixed 20 s warm-up CPU per write
     * kept falling (3.4, 2.7, 1.9 ms in successive 8 s steps), and a 1-client step measured after a
     * 64-client warm-up spent 0.87 of its 1.38 server cores compiling.
     */
    static void warmUp(String system, int maxSeconds, int[] steps, ServerCluster cluster, WriterFactory writers)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        long tickNanos = 1_000_000_000L / 100; // USER_HZ, 100 on Linux
        for (int round = 0; System.nanoTime() < end; round++) {
            int clients = steps[round % steps.length];
            long jitBefore = cluster.jitTicks();
            Duration cpuBefore = cluster.cpu();
            Row r = run(system + "-warmup", clients, 5, cluster, writers);
            double jit = (cluster.jitTicks() - jitBefore) * (double) tickNanos;
            double cpu = cluster.cpu().minus(cpuBefore).toNanos();
            double share = cpu <= 0 ? 0 : jit / cpu;
            System.out.printf(Locale.ROOT, "  warm-up round %d, %d clients: %.0f writes/s, server CPU %.0f us/write,"
                    + " JIT %.0f %% of it%n", round + 1, clients, r.writesPerSecond(), r.cpuMicrosPerWrite(), 100 * share);
            if (round + 1 >= steps.length && share < JIT_SETTLED_SHARE) {
                System.out.println("  warm-up done: JIT compilers idle");
                return;
            }
        }
        System.out.println("  warm-up stopped after " + maxSeconds + " s with the JIT still compiling");
    }

    interface WriterFactory {
        Writer forClient(int client);
    }

    static Row run(String system, int clients, int seconds, ServerCluster cluster, WriterFactory writers)
            throws InterruptedException {
        byte[] value = new byte[256];
        new Random(7).nextBytes(value);
        Latencies latencies = new Latencies();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            Writer w = writers.forClient(c);
            int client = c;
            Thread.ofPlatform().daemon().start(() -> {
                long n = 0;
                while (!stop.get()) {
                    String key = "bench/" + system + "/" + clients + "/" + client + "/" + (n++ % 1000);
                    long start = System.nanoTime();
                    try {
                        w.put(key, value);
                        if (measuring.get()) {
                            latencies.add(System.nanoTime() - start);
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                done.countDown();
            });
        }
        Thread.sleep(Math.min(3_000, seconds * 300L));
        Duration cpuBefore = cluster.cpu();
        Duration clientCpuBefore = selfCpu();
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        long elapsed = System.nanoTime() - t0;
        Duration cpu = cluster.cpu().minus(cpuBefore);
        Duration clientCpu = selfCpu().minus(clientCpuBefore);
        long rss = cluster.rssMib();
        stop.set(true);
        done.await(60, TimeUnit.SECONDS);
        int count = latencies.count();
        return new Row(system, clients, count / (elapsed / 1e9), latencies.percentileMillis(50),
                latencies.percentileMillis(99), latencies.percentileMillis(99.9),
                count == 0 ? Double.NaN : cpu.toNanos() / 1e3 / count, cpu.toNanos() / (double) elapsed,
                count == 0 ? Double.NaN : clientCpu.toNanos() / 1e3 / count, rss, errors.get());
    }

    /** CPU used so far by this (the clients') process. */
    static Duration selfCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    static void print(Row r) {
        System.out.printf(Locale.ROOT, "%-10s clients=%-4d %9.0f writes/s  p50 %7.2f ms  p99 %7.2f ms  p999 %7.2f ms"
                        + "  server CPU %6.0f us/write (%.2f cores)  client CPU %5.0f us/write  server RSS %d MiB"
                        + "  errors %d%n", r.system(), r.clients(), r.writesPerSecond(), r.p50(), r.p99(), r.p999(),
                r.cpuMicrosPerWrite(), r.serverCores(), r.clientMicrosPerWrite(), r.rssMib(), r.errors());
    }

    static void summary(List<Row> rows) {
        System.out.println();
        System.out.println("| system | clients | writes/s | p50 ms | p99 ms | p999 ms | server CPU us/write"
                + " | client CPU us/write | server RSS MiB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %d |%n", r.system(),
                    r.clients(), r.writesPerSecond(), r.p50(), r.p99(), r.p999(), r.cpuMicrosPerWrite(),
                    r.clientMicrosPerWrite(), r.rssMib());
        }
        for (Row m : rows) {
            for (Row e : rows) {
                if (m.system().equals("meshplane") && e.system().equals("etcd") && m.clients() == e.clients()) {
                    System.out.printf(Locale.ROOT, "clients=%d: meshplane/etcd throughput %.2fx, p99 %.2fx%n",
                            m.clients(), m.writesPerSecond() / e.writesPerSecond(), m.p99() / e.p99());
                }
            }
        }
    }

    static void awaitMeshplane(List<ManagedChannel> channels) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                KVGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .put(KvPutRequest.newBuilder().setKey("bench/ready").build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Meshplane cluster did not become writable: " + e.getStatus());
                }
                Thread.sleep(200);
            }
        }
    }

    static void awaitEtcd(Client client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                client.getKVClient().put(ByteSequence.from("bench/ready".getBytes()), ByteSequence.from(new byte[0]))
                        .get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("etcd did not become writable: " + e);
                }
                Thread.sleep(200);
            }
        }
    }
}
