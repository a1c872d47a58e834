package dev.meshplane.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A concurrent UDP DNS load generator in the style of dnsperf: each worker keeps a window of
 * queries outstanding on its own socket, alternating A and SRV questions, and records latency
 * per answer. Lost answers are re-sent after a timeout so the window never drains. The same
 * client measures every server in a run, so the figures compare.
 */
final class DnsLoad {
    record Result(String server, long answers, long lost, long bad, double seconds, long[] latencyNanos) {
        double qps() {
            return answers / seconds;
        }

        long percentile(double p) {
            if (latencyNanos.length == 0) {
                return 0;
            }
            return latencyNanos[(int) Math.min(latencyNanos.length - 1, Math.floor(p * latencyNanos.length))];
        }

        String line() {
            return String.format("%-28s %10.0f q/s  answers %9d  lost %6d  bad %4d  p50 %6.0f us  p99 %7.0f us  p999 %7.0f us",
                    server, qps(), answers, lost, bad, percentile(0.50) / 1e3, percentile(0.99) / 1e3,
                    percentile(0.999) / 1e3);
        }
    }

    private DnsLoad() {}

    /**
     * Runs the load from its own JVM, so the server measured never shares a heap, a garbage
     * collector or safepoints with the client. Args: label host port name workers window warmup seconds.
     * Prints one line: the label, then the figures as "key=value" pairs.
     */
    public static void main(String[] args) throws Exception {
        Result r = run(args[0], new InetSocketAddress(args[1], Integer.parseInt(args[2])), args[3],
                Integer.parseInt(args[4]), Integer.parseInt(args[5]), Double.parseDouble(args[6]),
                Double.parseDouble(args[7]));
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        System.out.println("RESULT " + r.line() + String.format("  (client JVM CPU %.1f s)", os.getProcessCpuTime() / 1e9));
        System.out.printf("QPS %.0f%n", r.qps());
    }

    /** {@link #run} in a child JVM with the same class path; returns its result line and q/s. */
    static String[] runInChild(String label, InetSocketAddress server, String name, int workers, int window,
                               double warmup, double seconds) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                DnsLoad.class.getName(), label, server.getHostString(), String.valueOf(server.getPort()), name,
                String.valueOf(workers), String.valueOf(window), String.valueOf(warmup), String.valueOf(seconds))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = null;
        String qps = null;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String l; (l = out.readLine()) != null; ) {
                if (l.startsWith("RESULT ")) {
                    line = l.substring(7);
                } else if (l.startsWith("QPS ")) {
                    qps = l.substring(4);
                }
            }
        }
        p.waitFor();
        if (line == null || qps == null) {
            throw new IllegalStateException("the DNS load client failed (exit " + p.exitValue() + ")");
        }
        return new String[] {line, qps};
    }

    /** Runs {@code workers} sockets with {@code window} queries in flight each, for warmup then measure seconds. */
    static Result run(String label, InetSocketAddress server, String name, int workers, int window, double warmupSeconds,
                      double seconds) throws InterruptedException {
        byte[][] queries = {query(name, 1), query(name, 33)};
        LongAdder answers = new LongAdder();
        LongAdder lost = new LongAdder();
        LongAdder bad = new LongAdder();
        List<long[]> latencies = new ArrayList<>();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            long[] samples = new long[4_000_000];
            latencies.add(samples);
            int worker = w;
            threads.add(Thread.ofPlatform().name("dns-load-" + w).start(() -> {
                try {
                    work(server, queries, window, measureFrom, end, answers, lost, bad, samples, worker);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = 0;
        for (long[] l : latencies) {
            total += (int) l[l.length - 1];
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        return new Result(label, answers.sum(), lost.sum(), bad.sum(), seconds, all);
    }

    private static void work(InetSocketAddress server, byte[][] queries, int window, long measureFrom, long end,
                             LongAdder answers, LongAdder lost, LongAdder bad, long[] samples, int worker)
            throws IOException {
        byte[][] own = {queries[0].clone(), queries[1].clone()};
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(server);
            ch.socket().setSoTimeout(200);
            ch.socket().setReceiveBufferSize(1 << 20);
            long[] sentAt = new long[65536];
            ByteBuffer out = ByteBuffer.allocate(512);
            int nextId = worker << 12;
            int kind = 0;
            int recorded = 0;
            for (int i = 0; i < window; i++) {
                nextId = send(ch, out, own[kind++ & 1], nextId, sentAt);
            }
            var socket = ch.socket();
            byte[] buf = new byte[65535];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(buf, buf.length);
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    // Answers lost under load: refill the window.
                    for (int i = 0; i < window; i++) {
                        nextId = send(ch, out, own[kind++ & 1], nextId, sentAt);
                    }
                    if (System.nanoTime() >= measureFrom) {
                        lost.add(window);
                    }
                    continue;
                }
                long received = System.nanoTime();
                int id = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
                int rcode = buf[3] & 0x0f;
                int ancount = ((buf[6] & 0xff) << 8) | (buf[7] & 0xff);
                if (received >= measureFrom) {
                    answers.increment();
                    if (rcode != 0 || ancount == 0) {
                        bad.increment();
                    }
                    if (recorded < samples.length - 1) {
                        samples[recorded++] = received - sentAt[id];
                    }
                }
                nextId = send(ch, out, own[kind++ & 1], nextId, sentAt);
            }
            samples[samples.length - 1] = recorded;
        }
    }

    private static int send(DatagramChannel ch, ByteBuffer out, byte[] query, int id, long[] sentAt) throws IOException {
        int next = (id + 1) & 0xffff;
        query[0] = (byte) (next >>> 8);
        query[1] = (byte) next;
        out.clear();
        out.put(query).flip();
        sentAt[next] = System.nanoTime();
        ch.write(out);
        return next;
    }

    /** A plain query (RD set, no EDNS) for name with the given type (1 = A, 33 = SRV). */
    static byte[] query(String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) 0).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0).putShort((short) type).putShort((short) 1);
        return Arrays.copyOf(b.array(), b.position());
    }
}
