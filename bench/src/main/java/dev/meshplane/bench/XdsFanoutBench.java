package dev.meshplane.bench;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceHealthTopic;
import dev.meshplane.proto.v1.WatchRequest;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Discovery fan-out through sidecars, against a 3-server cluster of real processes (each server is
 * also an agent). Part 1: S xDS streams (default 2,000) on one sidecar, half subscribed to the
 * endpoints of service "fan" (100 instances) and half to "calm"; one instance of "fan" flips
 * health; prints the time until every "fan" stream has the new assignment (p50, p99, max) and how
 * many pushes the "calm" streams got (should be none). Part 2: W Watch streams (default 10,000)
 * on "fan" spread over the three agents, which share one upstream stream per agent; the same flip.
 * Server CPU and RSS per round; heap from the servers' GC logs at the end.
 *
 * <p>Usage: XdsFanoutBench [xds streams (2000)] [watch streams (10000)] [rounds (5)]. Each part first
 * runs {@code -Dbench.warmupRounds} (5) unreported rounds, so fresh JVMs have compiled the paths.
 */
public final class XdsFanoutBench {
    private static final String ENDPOINTS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    /** Flips so far: each flip must change the health (an unchanged registration wakes no watcher). */
    private static int flips;

    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int watchers = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("meshplane-xds-fanout-");
        System.out.printf(Locale.ROOT, "xDS/watch fan-out: %d xDS streams on one sidecar, %d watch streams over 3 "
                + "agents, %d rounds, 3 servers, %d cores, load average %.1f at start%n", streams, watchers, rounds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        try (var cluster = new ServerCluster.Meshplane(dir.resolve("meshplane"), List.of("-Xmx1g", "-XX:+UseG1GC",
                "--sun-misc-unsafe-memory-access=allow", "-Xlog:gc:file=" + dir.resolve("meshplane") + "/gc-%p.log"))) {
            List<ManagedChannel> servers = new ArrayList<>();
            for (String a : cluster.clientAddresses()) {
                servers.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
            }
            RaftWriteBench.awaitMeshplane(servers);
            for (int i = 0; i < 100; i++) {
                setUp(servers.get(0), instance("fan", i, HealthStatus.HEALTH_STATUS_PASSING));
            }
            for (int i = 0; i < 10; i++) {
                setUp(servers.get(0), instance("calm", i, HealthStatus.HEALTH_STATUS_PASSING));
            }

            List<ManagedChannel> agents = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                agents.add(NettyChannelBuilder.forTarget(cluster.agentAddresses().get(i % 3)).usePlaintext()
                        .maxInboundMessageSize(64 << 20).build());
            }
            xds(cluster, agents, streams, rounds);
            watch(cluster, agents, watchers, rounds);
            agents.forEach(ManagedChannel::shutdownNow);
            servers.forEach(ManagedChannel::shutdownNow);
            System.out.println("server heap (G1, from GC logs): " + GcLogs.summary(dir.resolve("meshplane")));
        }
        System.out.printf(Locale.ROOT, "load average at end %.1f%n", loadAverage());
    }

    private static void xds(ServerCluster.Meshplane cluster, List<ManagedChannel> agents, int streams, int rounds)
            throws Exception {
        // All on agent 0 (every third channel): one sidecar serves every stream.
        List<ManagedChannel> sidecar = new ArrayList<>();
        for (int i = 0; i < agents.size(); i += 3) {
            sidecar.add(agents.get(i));
        }
        int fanStreams = (streams + 1) / 2;
        WatchFanoutBench.Fanout fan = new WatchFanoutBench.Fanout(fanStreams);
        AtomicLong calmPushes = new AtomicLong();
        AtomicLong calmInitial = new AtomicLong();
        CountDownLatch initial = new CountDownLatch(streams);
        for (int i = 0; i < streams; i++) {
            boolean isFan = i % 2 == 0;
            int index = i / 2;
            String service = isFan ? "fan" : "calm";
            StreamObserver<DiscoveryRequest>[] out = new StreamObserver[1];
            boolean[] first = {true};
            out[0] = AggregatedDiscoveryServiceGrpc.newStub(sidecar.get(i % sidecar.size()))
                    .streamAggregatedResources(new StreamObserver<>() {
                        @Override
                        public void onNext(DiscoveryResponse r) {
                            if (first[0]) {
                                first[0] = false;
                                initial.countDown();
                                if (!isFan) {
                                    calmInitial.incrementAndGet();
                                }
                            } else if (isFan) {
                                fan.arrived(index, r.getSerializedSize());
                            } else {
                                calmPushes.incrementAndGet();
                            }
                            synchronized (out) {
                                out[0].onNext(DiscoveryRequest.newBuilder().setTypeUrl(ENDPOINTS)
                                        .setVersionInfo(r.getVersionInfo()).setResponseNonce(r.getNonce())
                                        .addResourceNames(service).build());
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            fan.errors.incrementAndGet();
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            synchronized (out) {
                out[0].onNext(DiscoveryRequest.newBuilder().setTypeUrl(ENDPOINTS).addResourceNames(service)
                        .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId("bench-" + i)).build());
            }
        }
        if (!initial.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + (streams - initial.getCount()) + " xDS streams got their first answer");
        }
        System.out.printf(Locale.ROOT, "xDS: %d streams answered (%d on fan, %d on calm)%n", streams, fanStreams,
                calmInitial.get());
        // withDeadlineAfter fixes an instant: each flip takes a fresh deadline.
        var catalog = CatalogGrpc.newBlockingStub(agents.get(0));
        for (int r = 1 - WatchFanoutBench.WARMUP_ROUNDS; r <= rounds; r++) {
            HealthStatus s = nextFlip();
            long calmBefore = calmPushes.get();
            WatchFanoutBench.Fanout.Result res = fan.measure(cluster,
                    () -> catalog.withDeadlineAfter(60, TimeUnit.SECONDS).register(instance("fan", 7, s)));
            if (r >= 1) {
                report("xDS endpoints", cluster, res, String.format(Locale.ROOT, "  calm pushes %d",
                        calmPushes.get() - calmBefore));
            }
        }
        System.out.printf(Locale.ROOT, "xDS: assignment push %d bytes; stream errors %d%n", fan.lastEventBytes.get(),
                fan.errors.get());
    }

    private static void watch(ServerCluster.Meshplane cluster, List<ManagedChannel> agents, int watchers, int rounds)
            throws Exception {
        WatchFanoutBench.Fanout f = WatchFanoutBench.subscribe(watchers, i -> agents.get(i % agents.size()),
                WatchRequest.newBuilder().setServiceHealth(ServiceHealthTopic.newBuilder().setService("fan")).build());
        System.out.printf(Locale.ROOT, "watch: %d streams subscribed through 3 agents; snapshot %d bytes%n", watchers,
                f.snapshotBytes.get());
        // withDeadlineAfter fixes an instant: each flip takes a fresh deadline.
        var catalog = CatalogGrpc.newBlockingStub(agents.get(0));
        for (int r = 1 - WatchFanoutBench.WARMUP_ROUNDS; r <= rounds; r++) {
            HealthStatus s = nextFlip();
            WatchFanoutBench.Fanout.Result res = f.measure(cluster, () -> catalog.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .register(instance("fan", 7, s)));
            if (r >= 1) {
                report("watch via agents", cluster, res, "");
            }
        }
        System.out.printf(Locale.ROOT, "watch: delta %d bytes; stream errors %d%n", f.lastEventBytes.get(),
                f.errors.get());
    }

    /**
     * A set-up registration, retried while the cluster answers UNAVAILABLE: on a loaded machine a
     * leader change during set-up (a forwarded write cut off) is no reason to abandon the run.
     * The measured flips are not retried.
     */
    private static void setUp(ManagedChannel server, CatalogRegisterRequest r) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                CatalogGrpc.newBlockingStub(server).withDeadlineAfter(60, TimeUnit.SECONDS).register(r);
                return;
            } catch (io.grpc.StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || attempt == 10) {
                    throw e;
                }
                System.out.println("set-up: " + e.getStatus() + "; retrying");
                Thread.sleep(500);
            }
        }
    }

    private static HealthStatus nextFlip() {
        return ++flips % 2 == 1 ? HealthStatus.HEALTH_STATUS_CRITICAL : HealthStatus.HEALTH_STATUS_PASSING;
    }

    private static void report(String what, ServerCluster cluster, WatchFanoutBench.Fanout.Result r, String extra) {
        System.out.printf(Locale.ROOT, "%-17s 50%% %7.1f ms  99%% %7.1f ms  max %7.1f ms  (%d/%d got it)  "
                        + "server CPU %5.0f ms  RSS %d MiB%s%n", what, r.p50(), r.p99(), r.max(), r.received(),
                r.watchers(), r.cpu().toNanos() / 1e6, cluster.rssMib(), extra);
    }

    private static CatalogRegisterRequest instance(String service, int i, HealthStatus status) {
        String id = service + "-" + i;
        return CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(service + "-node-" + (i % 20)).setAddress("127.0." + (i % 20) + ".1"))
                .setService(Service.newBuilder().setName(service).setId(id).setPort(10_000 + i))
                .addChecks(Check.newBuilder().setCheckId("check-" + id).setServiceId(id).setStatus(status))
                .build();
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
