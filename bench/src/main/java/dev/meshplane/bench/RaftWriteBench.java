package dev.meshplane.bench;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvPutRequest;
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
 * p50/p99/p999 latency and server CPU per write. When the `etcd` binary is on PATH, a 3-member
 * etcd gets the same workload through jetcd in the same run, and the ratio is printed.
 *
 * <p>Usage: RaftWriteBench [seconds-per-step (10)] [client counts (1,16,64,256)]
 */
public final class RaftWriteBench {
    interface Writer {
        void put(String key, byte[] value) throws Exception;
    }

    record Row(String system, int clients, double writesPerSecond, double p50, double p99, double p999,
               double cpuMicrosPerWrite, long errors) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0]) : 10;
        int[] steps = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 16, 64, 256};
        Path dir = Files.createTempDirectory("meshplane-bench-");
        System.out.printf("raft write benchmark: 3 servers on loopback, 256-byte values, %d s per step, %d cores%n",
                seconds, Runtime.getRuntime().availableProcessors());
        List<Row> rows = new ArrayList<>();
        try (var cluster = new ServerCluster.Meshplane(dir.resolve("meshplane"),
                List.of("-Xmx1g", "-XX:+UseG1GC", "--sun-misc-unsafe-memory-access=allow"))) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (String a : cluster.clientAddresses()) {
                channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
            }
            awaitMeshplane(channels);
            for (int n : steps) {
                rows.add(run("meshplane", n, seconds, cluster, client -> {
                    var kv = KVGrpc.newBlockingStub(channels.get(client % channels.size()));
                    return (key, value) -> kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(KvPutRequest.newBuilder()
                            .setKey(key).setValue(ByteString.copyFrom(value)).build());
                }));
                print(rows.get(rows.size() - 1));
            }
            channels.forEach(ManagedChannel::shutdownNow);
        }
        if (ServerCluster.Etcd.installed()) {
            try (var etcd = new ServerCluster.Etcd(dir.resolve("etcd"))) {
                List<String> endpoints = new ArrayList<>();
                for (String a : etcd.clientAddresses()) {
                    endpoints.add("http://" + a);
                }
                try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
                    awaitEtcd(client);
                    for (int n : steps) {
                        rows.add(run("etcd", n, seconds, etcd, c -> (key, value) -> client.getKVClient()
                                .put(ByteSequence.from(key.getBytes()), ByteSequence.from(value))
                                .get(30, TimeUnit.SECONDS)));
                        print(rows.get(rows.size() - 1));
                    }
                }
            }
        } else {
            System.out.println("etcd is not on PATH (Debian: apt-get install etcd-server): no peer figures this run");
        }
        summary(rows);
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
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        long elapsed = System.nanoTime() - t0;
        Duration cpu = cluster.cpu().minus(cpuBefore);
        stop.set(true);
        done.await(60, TimeUnit.SECONDS);
        int count = latencies.count();
        return new Row(system, clients, count / (elapsed / 1e9), latencies.percentileMillis(50),
                latencies.percentileMillis(99), latencies.percentileMillis(99.9),
                count == 0 ? Double.NaN : cpu.toNanos() / 1e3 / count, errors.get());
    }

    static void print(Row r) {
        System.out.printf(Locale.ROOT, "%-10s clients=%-4d %9.0f writes/s  p50 %7.2f ms  p99 %7.2f ms  p999 %7.2f ms"
                        + "  server CPU %6.0f us/write  errors %d%n", r.system(), r.clients(), r.writesPerSecond(),
                r.p50(), r.p99(), r.p999(), r.cpuMicrosPerWrite(), r.errors());
    }

    static void summary(List<Row> rows) {
        System.out.println();
        System.out.println("| system | clients | writes/s | p50 ms | p99 ms | p999 ms | server CPU us/write |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.0f |%n", r.system(), r.clients(),
                    r.writesPerSecond(), r.p50(), r.p99(), r.p999(), r.cpuMicrosPerWrite());
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
