package dev.meshplane.cli;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP/DNS benchmark (a program, not a test). Prints figures for:
 * <ol>
 *   <li>DNS queries per second for a 10-instance service over UDP (A and SRV alternating) from a
 *       concurrent client, and, when unbound is installed, the same records served by unbound on
 *       another port, measured by the same client in the same run;</li>
 *   <li>N parked blocking HTTP queries on one service (default 10,000) woken by one change: time
 *       until 99% and 100% are answered, heap and threads while parked.</li>
 * </ol>
 * Run: {@code ./mvnw -q -pl cli -am process-test-classes -Phttp-dns-bench} with optional
 * {@code -Dbench.seconds=10 -Dbench.warmup=3 -Dbench.workers=8 -Dbench.window=8 -Dbench.parked=10000
 * -Dbench.rounds=5 -Dbench.unboundThreads=<the agent's UDP sockets>}, and
 * {@code -Dbench.distinct=true} to also run the blocking part with every URI distinct (no shared calls).
 */
public final class HttpDnsBench {
    private HttpDnsBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "10"));
        double warmup = Double.parseDouble(System.getProperty("bench.warmup", "3"));
        int workers = Integer.getInteger("bench.workers", 8);
        int window = Integer.getInteger("bench.window", 8);
        int parked = Integer.getInteger("bench.parked", 10_000);
        int rounds = Integer.getInteger("bench.rounds", 5);
        Logger.getLogger("").setLevel(Level.WARNING);
        System.out.printf("machine: %d cores, java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        try (Agent agent = Agent.start(Agent.Settings.dev("bench-node", 0, 0).withHttpDns(0, 0,
                Agent.DnsSettings.DEFAULTS))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!agent.sidecar().nodeRegistered() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            HttpApi api = new HttpApi("http://127.0.0.1:" + agent.httpAddress().getPort());
            List<String> addresses = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                addresses.add("10.62.0." + i);
                var r = api.put("/v1/agent/service/register", "{\"Name\": \"bench\", \"ID\": \"bench-" + i
                        + "\", \"Port\": 80, \"Address\": \"10.62.0." + i + "\"}");
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("registration failed: " + r.body());
                }
            }
            dns(agent, addresses, workers, window, warmup, seconds);
            if (parked > 0) {
                // Round 1 runs the answer path for the first time (the JIT compiles it while it
                // answers); later rounds show the agent as it runs for days. Every round is printed.
                int instance = 11;
                for (int round = 1; round <= rounds; round++) {
                    blocking(agent, api, parked, false, instance++, round);
                }
                if (Boolean.getBoolean("bench.distinct")) {
                    for (int round = 1; round <= rounds; round++) {
                        blocking(agent, api, parked, true, instance++, round);
                    }
                }
            }
        }
    }

    private static void dns(Agent agent, List<String> addresses, int workers, int window, double warmup,
                            double seconds) throws Exception {
        String name = "bench.service.consul.";
        System.out.printf("%n== DNS: %s (10 instances), A and SRV alternating, UDP, %d sockets x %d in flight, "
                + "%.0f s warmup + %.0f s%n", name, workers, window, warmup, seconds);
        InetSocketAddress agentDns = agent.dnsAddress();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        // The client runs in its own JVM, the same one for both servers.
        String[] ours = DnsLoad.runInChild("meshplane agent", agentDns, name, workers, window, warmup, seconds);
        double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - wall0);
        System.out.println(ours[0]);
        System.out.printf("   (the agent's JVM used %.2f cores; %d UDP sockets)%n", cores, agent.dnsUdpSockets());
        String unbound = UnboundPeer.binary();
        if (unbound == null) {
            System.out.println("unbound is not installed (apt-get install unbound): no peer figure in this run");
            return;
        }
        // Like for like: unbound with as many threads as the agent has UDP sockets and event loops
        // (both spread clients over their sockets with SO_REUSEPORT); then unbound's default, one
        // thread, for reference.
        int threads = Integer.getInteger("bench.unboundThreads", agent.dnsUdpSockets());
        for (int t : threads == 1 ? List.of(1) : List.of(threads, 1)) {
            try (UnboundPeer peer = UnboundPeer.start(unbound, name, addresses, t)) {
                String[] theirs = DnsLoad.runInChild("unbound " + t + " thread(s) (peer)", peer.address(), name,
                        workers, window, warmup, seconds);
                System.out.println(theirs[0]);
                System.out.printf("meshplane / unbound with %d thread(s) = %.2f%s%n", t,
                        Double.parseDouble(ours[1]) / Double.parseDouble(theirs[1]),
                        t == threads ? " (like for like; target: at least 0.50)" : "");
            }
        }
    }

    private static void blocking(Agent agent, HttpApi api, int parked, boolean distinct, int newInstance, int round)
            throws Exception {
        System.out.printf("%n== HTTP round %d: %d blocking queries parked on /v1/health/service/bench, woken by one change%s%n",
                round, parked, distinct ? " (every URI distinct: no two share a call)" : " (identical URIs: they share one call)");
        var now = api.get("/v1/health/service/bench");
        long index = HttpApi.index(now);
        int port = agent.httpAddress().getPort();
        long heapBefore = usedHeapAfterGc();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                BlockingQueryLoad.class.getName(), "127.0.0.1", String.valueOf(port),
                "/v1/health/service/bench?index=" + index + "&wait=5m", String.valueOf(parked),
                distinct ? "distinct" : "same")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("PARKED")) {
                throw new IllegalStateException("load client: " + line);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int expected = distinct ? parked : 1;
            while ((agent.server().pendingWakeUps() < expected || agent.sidecar().httpConnections() < parked)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            int waiting = agent.server().pendingWakeUps();
            long heapParked = usedHeapAfterGc();
            int threadsParked = ManagementFactory.getThreadMXBean().getThreadCount();
            System.out.printf("parked: %d HTTP connections, %d queries waiting in the server%n",
                    agent.sidecar().httpConnections(), waiting);
            System.out.printf("heap after GC: %d MiB before, %d MiB parked (%.1f KiB per parked query)%n",
                    heapBefore >> 20, heapParked >> 20, (heapParked - heapBefore) / 1024.0 / Math.max(1, parked));
            System.out.printf("threads: %d before, %d parked%n", threadsBefore, threadsParked);
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            // Watchers park long before a change comes (up to wait=5m): let the agent finish what
            // parking 10,000 connections started (the JIT compiles the accept path) first.
            System.out.printf("agent idle %.1f s after parking%n", awaitIdle(os) / 1e9);
            long cpu0 = os.getProcessCpuTime();
            var threadsAtChange = ThreadCpu.snapshot();
            long t0 = System.nanoTime();
            var r = api.put("/v1/agent/service/register",
                    "{\"Name\": \"bench\", \"ID\": \"bench-" + newInstance + "\", \"Port\": 80, \"Address\": \"10.62.0."
                            + newInstance + "\"}");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("change failed: " + r.body());
            }
            PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8);
            in.println("GO " + t0);
            String done = out.readLine();
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            System.out.println("answers after the change: " + done);
            System.out.printf("agent CPU from the change to the last answer: %.2f s%n", cpu);
            System.out.println("   by thread: " + ThreadCpu.top(threadsAtChange, ThreadCpu.snapshot(), 6));
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until this process uses under 5% of a core over 500 ms (at most 20 s); returns the wait. */
    private static long awaitIdle(OperatingSystemMXBean os) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            Thread.sleep(500);
            if ((os.getProcessCpuTime() - cpu) / (double) (System.nanoTime() - wall) < 0.05) {
                break;
            }
        }
        return System.nanoTime() - start;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
