package dev.meshplane.bench;

import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.Pem;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import dev.meshplane.sidecar.connect.SidecarConnect;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The mTLS hop measured: an echo application reached directly, through two Meshplane sidecars
 * (upstream listener -> mTLS -> public listener), and through a pair of stunnel processes doing
 * the same TLS 1.3 mutual-TLS hop when stunnel is installed, in the same run. For each: 1 KiB
 * round trips/s on 1 and 64 connections, bulk MiB/s on one connection, and new connections/s
 * (each a full handshake through a proxy). Then CSR signings/s on the leader (rate limit off).
 * Prints latency percentiles, the proxies' own CPU per operation (sidecar event-loop threads, or
 * the stunnel processes), and the machine's load.
 *
 * <p>Usage: MtlsProxyBench [seconds-per-step (5)] [warmup-seconds (2)]
 */
public final class MtlsProxyBench {
    private record Row(String endpoint, String step, double rate, String unit, double p50, double p99, double p999,
                       double cpuMicrosPerOp, long errors) {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        double warmup = args.length > 1 ? Double.parseDouble(args[1]) : 2;
        System.out.printf(Locale.ROOT, "mTLS proxy benchmark: %d cores, load average %s, JDK %s, %.0f s per step%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), Runtime.version(), seconds);
        List<Row> rows = new ArrayList<>();
        Path dir = Files.createTempDirectory("meshplane-proxy-bench-");
        try (NettyEcho app = new NettyEcho(); MeshPair mesh = new MeshPair(app.port())) {
            measure(rows, "direct", app.port(), seconds, warmup, () -> Duration.ZERO);
            measure(rows, "meshplane", mesh.upstreamPort(), seconds, warmup, MtlsProxyBench::proxyThreadsCpu);
            if (StunnelPair.installed()) {
                CaRootsResponse roots = ConnectCAGrpc.newBlockingStub(mesh.toServer)
                        .roots(CaRootsRequest.getDefaultInstance());
                String bundle = String.join("", roots.getRootsList().stream().map(r -> r.getRootCert()).toList());
                try (StunnelPair stunnel = new StunnelPair(dir.resolve("stunnel"), app.port(),
                        identity(mesh, roots, "db", "server-node"), identity(mesh, roots, "web", "client-node"), bundle)) {
                    measure(rows, "stunnel", stunnel.port(), seconds, warmup, () -> {
                        try {
                            return stunnel.cpu();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                }
            } else {
                System.out.println("stunnel: not installed (Debian: apt-get install stunnel4); its rows are missing");
            }
            System.out.println();
            System.out.println("| endpoint | step | rate | p50 ms | p99 ms | p999 ms | proxy CPU us/op | errors |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (Row r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %s | %,.0f %s | %.3f | %.3f | %.3f | %s | %d |%n", r.endpoint(),
                        r.step(), r.rate(), r.unit(), r.p50(), r.p99(), r.p999(),
                        Double.isNaN(r.cpuMicrosPerOp()) ? "-" : String.format(Locale.ROOT, "%.1f", r.cpuMicrosPerOp()),
                        r.errors());
            }
            System.out.println();
            signings(mesh, seconds, warmup);
        }
        System.gc();
        System.out.printf(Locale.ROOT, "heap after GC: %.1f MiB; load average at the end %s%n",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0, loadAverage());
    }

    private static void measure(List<Row> rows, String endpoint, int port, double seconds, double warmup,
                                Supplier<Duration> proxyCpu) throws Exception {
        record Step(String name, Measure measure) {}
        List<Step> steps = List.of(
                new Step("1 KiB round trips, 1 conn", () -> EchoLoad.roundTrips(port, 1, 1024, warmup, seconds)),
                new Step("1 KiB round trips, 64 conns", () -> EchoLoad.roundTrips(port, 64, 1024, warmup, seconds)),
                new Step("bulk, 1 conn", () -> EchoLoad.bulk(port, warmup, seconds)),
                new Step("new connections, 8 threads", () -> EchoLoad.connects(port, 8, warmup, seconds)));
        for (Step s : steps) {
            // CPU is sampled around the whole step; warm-up is a fixed share of it and counted per op the same way.
            Duration cpu0 = proxyCpu.get();
            EchoLoad.Result r = s.measure().run();
            Duration cpu = proxyCpu.get().minus(cpu0);
            boolean bulk = s.name().startsWith("bulk");
            double ops = bulk ? r.bytes() / 1024.0 : r.operations();
            double share = seconds / (seconds + warmup);
            double cpuPerOp = endpoint.equals("direct") || ops == 0 ? Double.NaN
                    : cpu.toNanos() * share / 1e3 / ops;
            Row row = new Row(endpoint, s.name() + (bulk ? " (CPU per KiB)" : ""), bulk ? r.mibPerSecond() : r.perSecond(),
                    bulk ? "MiB/s" : "/s", r.latencies().percentileMillis(50), r.latencies().percentileMillis(99),
                    r.latencies().percentileMillis(99.9), cpuPerOp, r.errors());
            rows.add(row);
            System.out.printf(Locale.ROOT, "%-10s %-32s %,12.0f %-5s p50 %7.3f ms  p99 %7.3f ms  p999 %7.3f ms  errors %d%n",
                    endpoint, s.name(), row.rate(), row.unit(), row.p50(), row.p99(), row.p999(), row.errors());
        }
    }

    @FunctionalInterface
    private interface Measure {
        EchoLoad.Result run() throws Exception;
    }

    private static StunnelPair.Identity identity(MeshPair mesh, CaRootsResponse roots, String service, String node) {
        KeyPair keys = EcKeys.generateP256();
        SignResponse leaf = ConnectCAGrpc.newBlockingStub(mesh.toServer).sign(SignRequest.newBuilder()
                .setCsr(LeafCsr.create(keys, SpiffeId.of(new TrustDomain(roots.getTrustDomain()), "dc1", service)))
                .setNode(node).build());
        return new StunnelPair.Identity(leaf.getCertPem(), Pem.privateKey(keys.getPrivate()));
    }

    /** CPU used so far by the sidecars' proxy event loops. */
    static Duration proxyThreadsCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(SidecarConnect.PROXY_THREAD_PREFIX)) {
                nanos += Math.max(0, threads.getThreadCpuTime(t.threadId()));
            }
        }
        return Duration.ofNanos(nanos);
    }

    /** Signings on the leader through its gRPC API, the CSRs made beforehand (that is the sidecars' cost). */
    private static void signings(MeshPair mesh, double seconds, double warmup) throws Exception {
        CaRootsResponse roots = ConnectCAGrpc.newBlockingStub(mesh.toServer).roots(CaRootsRequest.getDefaultInstance());
        TrustDomain td = new TrustDomain(roots.getTrustDomain());
        List<String> csrs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            csrs.add(LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(td, "dc1", "web")));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int threads : new int[] {1, 4}) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicLong count = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            Latencies latencies = new Latencies();
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                all.add(Thread.ofPlatform().start(() -> {
                    var ca = ConnectCAGrpc.newBlockingStub(mesh.toServer);
                    int i = offset;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        try {
                            ca.withDeadlineAfter(30, TimeUnit.SECONDS).sign(SignRequest.newBuilder()
                                    .setCsr(csrs.get(i++ % csrs.size())).setNode("client-node").build());
                            if (measuring.get()) {
                                count.incrementAndGet();
                                latencies.add(System.nanoTime() - t0);
                            }
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                        }
                    }
                }));
            }
            Thread.sleep((long) (warmup * 1000));
            long cpu0 = os.getProcessCpuTime();
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long cpu = os.getProcessCpuTime() - cpu0;
            stop.set(true);
            for (Thread t : all) {
                t.join();
            }
            System.out.printf(Locale.ROOT, "CSR signings on the leader, %d thread(s): %,.0f/s  p50 %.3f ms  p99 %.3f ms"
                            + "  p999 %.3f ms  process CPU %.0f us/signing  errors %d%n", threads, count.get() / elapsed,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.percentileMillis(99.9),
                    count.get() == 0 ? Double.NaN : cpu / 1e3 / count.get(), errors.get());
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
