package dev.meshplane.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The client side of the blocking-query benchmark, run in its own JVM (one process may not
 * hold 20,000 sockets here): opens N connections, sends one blocking HTTP query on each, says
 * "PARKED", waits for "GO <nanoTime of the change>" on stdin, and reports when the answers
 * arrived. System.nanoTime is CLOCK_MONOTONIC on Linux, so the two processes' clocks agree.
 */
public final class BlockingQueryLoad {
    private static final int CONNECT_BATCH = 500;

    private static final class Conn {
        final ByteBuffer request;
        /** The response head until it is complete (bodies are counted, not kept). */
        byte[] head = new byte[0];
        /** Body bytes still to come once the head is parsed; -1 before that. */
        long remaining = -1;
        long answeredAt;
        int status;

        Conn(byte[] request) {
            this.request = ByteBuffer.wrap(request);
        }
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int count = Integer.parseInt(args[3]);
        // "distinct": every client's URI differs (an extra parameter), so no two share a call.
        boolean distinct = args.length > 4 && args[4].equals("distinct");
        Selector selector = Selector.open();
        Conn[] conns = new Conn[count];
        int opened = 0;
        int connected = 0;
        while (connected < count) {
            while (opened < count && opened - connected < CONNECT_BATCH) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                String uri = distinct ? path + "&client=" + opened : path;
                conns[opened] = new Conn(("GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                ch.connect(new InetSocketAddress(host, port));
                ch.register(selector, SelectionKey.OP_CONNECT, conns[opened]);
                opened++;
            }
            selector.select(1000);
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey k = it.next();
                it.remove();
                if (k.isConnectable() && ((SocketChannel) k.channel()).finishConnect()) {
                    Conn c = (Conn) k.attachment();
                    ((SocketChannel) k.channel()).write(c.request);
                    k.interestOps(SelectionKey.OP_READ);
                    connected++;
                }
            }
        }
        System.out.println("PARKED " + connected);
        System.out.flush();

        long[] go = {0};
        Thread stdin = Thread.ofPlatform().start(() -> {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line != null && line.startsWith("GO ")) {
                    synchronized (go) {
                        go[0] = Long.parseLong(line.substring(3).trim());
                    }
                }
            } catch (IOException e) {
                // parent gone
            }
        });
        int answered = 0;
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuAtPark = os.getProcessCpuTime();
        long deadline = System.nanoTime() + 120_000_000_000L;
        // One direct buffer for every read (no copy through a temporary one, no 10,000 buffers), and
        // answered connections stay open until the end: a watcher keeps its connection, and closing
        // 10,000 sockets mid-measurement would charge both processes for the teardown.
        ByteBuffer read = ByteBuffer.allocateDirect(256 * 1024);
        while (answered < count && System.nanoTime() < deadline) {
            selector.select(1000);
            long now = System.nanoTime();
            for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                SelectionKey k = it.next();
                it.remove();
                Conn c = (Conn) k.attachment();
                SocketChannel ch = (SocketChannel) k.channel();
                read.clear();
                int n = ch.read(read);
                read.flip();
                if (n < 0 || consume(c, read)) {
                    c.answeredAt = now;
                    answered++;
                    k.interestOps(0);
                }
            }
        }
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        stdin.join(10_000);
        long t0;
        synchronized (go) {
            t0 = go[0];
        }
        long[] after = new long[answered];
        int ok = 0;
        int early = 0;
        int i = 0;
        for (Conn c : conns) {
            if (c.answeredAt != 0) {
                after[i++] = c.answeredAt - t0;
                ok += c.status == 200 ? 1 : 0;
                early += c.answeredAt < t0 ? 1 : 0;
            }
        }
        Arrays.sort(after);
        System.out.printf("DONE answered=%d ok=%d early=%d p50=%.1fms p99=%.1fms p100=%.1fms (client CPU %.2f s)%n",
                answered, ok, early, pct(after, 0.50), pct(after, 0.99),
                after.length == 0 ? -1.0 : after[after.length - 1] / 1e6, (os.getProcessCpuTime() - cpuAtPark) / 1e9);
        System.out.flush();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** Takes what was read; whether the whole response (head and Content-Length bytes of body) is in. */
    private static boolean consume(Conn c, ByteBuffer data) {
        if (c.remaining < 0) {
            int scanFrom = Math.max(0, c.head.length - 3);
            byte[] more = new byte[data.remaining()];
            data.get(more);
            byte[] head = Arrays.copyOf(c.head, c.head.length + more.length);
            System.arraycopy(more, 0, head, c.head.length, more.length);
            c.head = head;
            int end = -1;
            for (int i = Math.max(3, scanFrom); i < head.length; i++) {
                if (head[i] == '\n' && head[i - 1] == '\r' && head[i - 2] == '\n' && head[i - 3] == '\r') {
                    end = i + 1;
                    break;
                }
            }
            if (end < 0) {
                return false;
            }
            String text = new String(head, 0, end, StandardCharsets.ISO_8859_1);
            c.status = Integer.parseInt(text.substring(9, 12));
            int cl = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
            int length = cl < 0 ? 0 : Integer.parseInt(text.substring(cl + 15, text.indexOf("\r\n", cl)).trim());
            c.remaining = length - (head.length - end);
            c.head = null;
            return c.remaining <= 0;
        }
        c.remaining -= data.remaining();
        return c.remaining <= 0;
    }
}
