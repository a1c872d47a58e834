package dev.meshplane.bench;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvPrefixTopic;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchEvent;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchManyEvent;
import dev.meshplane.proto.v1.WatchManyRequest;
import dev.meshplane.proto.v1.WatchOpen;
import dev.meshplane.proto.v1.WatchRequest;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * Watch fan-out: W watchers (default 10,000) spread over a 3-server cluster, then one change;
 * prints the time until 50%, 99% and 100% of watchers have it, plus server CPU and heap. Two
 * halves: one KV key (and, when `etcd` is on PATH, the same against a 3-member etcd through
 * jetcd), and one service with 1,000 instances whose change travels as a delta. Each half runs
 * twice: one Watch stream per watcher, then every watcher on 10 WatchMany streams (as etcd's 10
 * jetcd clients multiplex theirs).
 *
 * <p>Usage: WatchFanoutBench [watchers (10000)] [rounds (5)]; {@code -Dbench.jfr=true} (through BENCH_OPTS)
 * records JFR on every server.
 */
public final class WatchFanoutBench {
    /** etcd's half uses this many jetcd clients, each multiplexing its watches on one stream. */
    static final int ETCD_CLIENTS = 10;
    /**
     * Unreported rounds before each half's measured ones: a fresh JVM interprets and compiles the
     * write and fan-out paths on its first changes (etcd, compiled ahead of time, gets them too).
     */
    static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmupRounds", 5);

    public static void main(String[] args) throws Exception {
        int watchers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("meshplane-fanout-");
        System.out.printf(Locale.ROOT, "watch fan-out: %d watchers, %d rounds, 3 servers, %d cores%n", watchers, rounds,
                Runtime.getRuntime().availableProcessors());
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC", "--sun-misc-unsafe-memory-access=allow",
                "-Xlog:gc:file=" + dir.resolve("meshplane") + "/gc-%p.log"));
        if (Boolean.getBoolean("bench.jfr")) {
            jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + dir.resolve("meshplane") + "/s-%p.jfr,dumponexit=true");
            System.out.println("JFR recordings: " + dir.resolve("meshplane") + "/s-<pid>.jfr");
        }
        try (var cluster = new ServerCluster.Meshplane(dir.resolve("meshplane"), jvm)) {
            List<ManagedChannel> channels = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                channels.add(NettyChannelBuilder.forTarget(cluster.clientAddresses().get(i % 3)).usePlaintext()
                        .maxInboundMessageSize(64 << 20).build());
            }
            RaftWriteBench.awaitMeshplane(channels);
            var kv = KVGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS);
            kv.put(KvPutRequest.newBuilder().setKey("fanout/key").setValue(ByteString.copyFromUtf8("0")).build());
            Fanout kvFanout = subscribe(watchers, i -> channels.get(i % channels.size()),
                    WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("fanout/key")).build());
            for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                int round = r;
                report(r, "meshplane KV", cluster, kvFanout.measure(cluster, () -> KVGrpc.newBlockingStub(
                        channels.get(Math.floorMod(round, channels.size()))).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .put(KvPutRequest.newBuilder().setKey("fanout/key")
                                .setValue(ByteString.copyFromUtf8(String.valueOf(round))).build())));
            }
            kvFanout.close();
            // Like for like with etcd's half: its 10 clients multiplex their watches on one
            // stream each; WatchMany does the same over 10 streams spread across the servers.
            Fanout kvMany = subscribeMany(watchers, ETCD_CLIENTS, i -> channels.get(i % channels.size()),
                    WatchRequest.newBuilder().setKvPrefix(KvPrefixTopic.newBuilder().setPrefix("fanout/key")).build());
            for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                int round = r;
                report(r, "meshplane KV many", cluster, kvMany.measure(cluster, () -> KVGrpc.newBlockingStub(
                        channels.get(Math.floorMod(round, channels.size()))).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .put(KvPutRequest.newBuilder().setKey("fanout/key")
                                .setValue(ByteString.copyFromUtf8("many-" + round)).build())));
            }
            kvMany.close();

            var catalog = CatalogGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(120, TimeUnit.SECONDS);
            int flips = 0;
            for (int i = 0; i < 1_000; i++) {
                catalog.register(instance(i, HealthStatus.HEALTH_STATUS_PASSING));
            }
            Fanout svcFanout = subscribe(watchers, i -> channels.get(i % channels.size()),
                    WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService("fan")).build());
            System.out.printf(Locale.ROOT, "service snapshot: %d bytes per watcher%n", svcFanout.snapshotBytes.get());
            // Every round flips instance 7's health, so every round is a change.
            for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                HealthStatus s = flips++ % 2 == 0 ? HealthStatus.HEALTH_STATUS_CRITICAL : HealthStatus.HEALTH_STATUS_PASSING;
                report(r, "meshplane service", cluster, svcFanout.measure(cluster, () -> catalog.register(instance(7, s))));
            }
            System.out.printf(Locale.ROOT, "service delta: %d bytes per watcher%n", svcFanout.lastEventBytes.get());
            svcFanout.close();
            Fanout svcMany = subscribeMany(watchers, ETCD_CLIENTS, i -> channels.get(i % channels.size()),
                    WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService("fan")).build());
            for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                HealthStatus s = flips++ % 2 == 0 ? HealthStatus.HEALTH_STATUS_CRITICAL : HealthStatus.HEALTH_STATUS_PASSING;
                report(r, "meshplane svc many", cluster, svcMany.measure(cluster, () -> catalog.register(instance(7, s))));
            }
            svcMany.close();
            channels.forEach(ManagedChannel::shutdownNow);
            System.out.println("meshplane server heap (G1, from GC logs): " + GcLogs.summary(dir.resolve("meshplane")));
        }
        if (ServerCluster.Etcd.installed()) {
            etcd(dir.resolve("etcd"), watchers, rounds);
        } else {
            System.out.println("etcd is not on PATH (Debian: apt-get install etcd-server): no peer figures this run");
        }
    }

    private static CatalogRegisterRequest instance(int i, HealthStatus status) {
        String node = "fan-node-" + (i % 50);
        String id = "fan-" + i;
        return CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(node).setAddress("10.1." + (i % 50) + ".1"))
                .setService(Service.newBuilder().setName("fan").setId(id).setPort(10_000 + i).addTags("v1"))
                .addChecks(Check.newBuilder().setCheckId("check-" + id).setServiceId(id).setStatus(status))
                .build();
    }

    private static void etcd(Path dir, int watchers, int rounds) throws Exception {
        try (var etcd = new ServerCluster.Etcd(dir)) {
            List<String> endpoints = new ArrayList<>();
            for (String a : etcd.clientAddresses()) {
                endpoints.add("http://" + a);
            }
            // Several clients, as many applications would be; each multiplexes its watches.
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < ETCD_CLIENTS; i++) {
                clients.add(Client.builder().endpoints(endpoints.toArray(String[]::new)).build());
            }
            RaftWriteBench.awaitEtcd(clients.get(0));
            ByteSequence key = ByteSequence.from("fanout/key".getBytes());
            clients.get(0).getKVClient().put(key, ByteSequence.from("0".getBytes())).get(30, TimeUnit.SECONDS);
            Fanout f = new Fanout(watchers);
            List<Watch.Watcher> handles = new ArrayList<>();
            for (int i = 0; i < watchers; i++) {
                int w = i;
                handles.add(clients.get(i % clients.size()).getWatchClient().watch(key,
                        response -> f.arrived(w, response.getEvents().size() * 64L)));
            }
            Thread.sleep(3_000);
            for (int r = 1 - WARMUP_ROUNDS; r <= rounds; r++) {
                String v = String.valueOf(r);
                report(r, "etcd KV", etcd, f.measure(etcd, () -> clients.get(0).getKVClient()
                        .put(key, ByteSequence.from(v.getBytes())).get(30, TimeUnit.SECONDS)));
            }
            handles.forEach(Watch.Watcher::close);
            clients.forEach(Client::close);
        }
    }

    /** Rounds 0 and below warm the servers' JIT (etcd gets the same): measured but not printed. */
    private static void report(int round, String what, ServerCluster cluster, Fanout.Result r) {
        if (round >= 1) {
            report(what, cluster, r);
        }
    }

    private static void report(String what, ServerCluster cluster, Fanout.Result r) {
        System.out.printf(Locale.ROOT, "%-18s 50%% %7.1f ms  99%% %7.1f ms  100%% %7.1f ms  (%d/%d got it)  "
                        + "write acked %6.1f ms  server CPU %5.0f ms  RSS %d MiB%n", what, r.p50(), r.p99(), r.max(),
                r.received(), r.watchers(), r.writeMillis(), r.cpu().toNanos() / 1e6, cluster.rssMib());
    }

    static Fanout subscribe(int watchers, IntFunction<ManagedChannel> channel, WatchRequest request)
            throws InterruptedException {
        Fanout f = new Fanout(watchers);
        for (int i = 0; i < watchers; i++) {
            int w = i;
            WatchGrpc.newStub(channel.apply(i)).watch(request, new StreamObserver<>() {
                @Override
                public void onNext(WatchEvent e) {
                    if (e.getKind() == WatchEvent.Kind.SNAPSHOT) {
                        f.snapshotBytes.set(e.getSerializedSize());
                        f.subscribed.countDown();
                    } else {
                        f.arrived(w, e.getSerializedSize());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    f.errors.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                }
            });
        }
        if (!f.subscribed.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + (watchers - f.subscribed.getCount()) + " watchers subscribed");
        }
        return f;
    }

    /**
     * Opens {@code watchers} watches over {@code streams} WatchMany streams (watcher w on stream
     * w % streams, under id w + 1); each event is handed to every watcher it names.
     */
    static Fanout subscribeMany(int watchers, int streams, IntFunction<ManagedChannel> channel, WatchRequest request)
            throws InterruptedException {
        Fanout f = new Fanout(watchers);
        List<StreamObserver<WatchManyRequest>> opened = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            opened.add(WatchGrpc.newStub(channel.apply(s)).watchMany(new StreamObserver<>() {
                @Override
                public void onNext(WatchManyEvent e) {
                    if (e.getCanceled()) {
                        f.errors.incrementAndGet();
                        return;
                    }
                    for (int i = 0; i < e.getWatchIdsCount(); i++) {
                        int w = (int) e.getWatchIds(i) - 1;
                        if (e.getEvent().getKind() == WatchEvent.Kind.SNAPSHOT) {
                            f.snapshotBytes.set(e.getEvent().getSerializedSize());
                            f.subscribed.countDown();
                        } else {
                            f.arrived(w, e.getEvent().getSerializedSize());
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    f.errors.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                }
            }));
        }
        for (int w = 0; w < watchers; w++) {
            StreamObserver<WatchManyRequest> stream = opened.get(w % streams);
            synchronized (stream) {
                stream.onNext(WatchManyRequest.newBuilder().setOpen(WatchOpen.newBuilder().setWatchId(w + 1)
                        .setRequest(request)).build());
            }
        }
        if (!f.subscribed.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + (watchers - f.subscribed.getCount()) + " watchers subscribed");
        }
        return f;
    }

    /** Arrival times of one change at every watcher. */
    static final class Fanout {
        /** @param writeMillis how long the change's own write took to be acknowledged */
        record Result(int watchers, int received, double p50, double p99, double max, Duration cpu,
                      double writeMillis) {}

        final int watchers;
        final CountDownLatch subscribed;
        final AtomicLong snapshotBytes = new AtomicLong();
        final AtomicLong lastEventBytes = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        private final AtomicLongArray arrival;
        private volatile long roundStart;

        Fanout(int watchers) {
            this.watchers = watchers;
            this.subscribed = new CountDownLatch(watchers);
            this.arrival = new AtomicLongArray(watchers);
        }

        void arrived(int watcher, long bytes) {
            lastEventBytes.set(bytes);
            arrival.compareAndSet(watcher, 0, System.nanoTime() - roundStart);
        }

        interface Change {
            void run() throws Exception;
        }

        Result measure(ServerCluster servers, Change change) throws Exception {
            for (int i = 0; i < watchers; i++) {
                arrival.set(i, 0);
            }
            Duration cpuBefore = servers.cpu();
            roundStart = System.nanoTime();
            change.run();
            double writeMillis = (System.nanoTime() - roundStart) / 1e6;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && received() < watchers) {
                Thread.sleep(5);
            }
            Thread.sleep(200);
            Latencies l = new Latencies();
            for (int i = 0; i < watchers; i++) {
                if (arrival.get(i) > 0) {
                    l.add(arrival.get(i));
                }
            }
            return new Result(watchers, l.count(), l.percentileMillis(50), l.percentileMillis(99),
                    l.percentileMillis(100), servers.cpu().minus(cpuBefore), writeMillis);
        }

        private int received() {
            int n = 0;
            for (int i = 0; i < watchers; i++) {
                if (arrival.get(i) > 0) {
                    n++;
                }
            }
            return n;
        }

        void close() {
            // Streams end with the channels.
        }
    }
}
