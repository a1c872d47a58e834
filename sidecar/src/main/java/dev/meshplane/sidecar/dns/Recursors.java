package dev.meshplane.sidecar.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Forwards names outside the served domains to the configured recursors, in order, each
 * with a timeout. The recursor's answer is relayed as received (only the ID is put back), so
 * its compressed names and sections stay intact. A truncated UDP answer is asked again over TCP
 * when the client itself came over TCP.
 */
final class Recursors implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Recursors.class.getName());

    private final List<InetSocketAddress> servers;
    private final int timeoutMillis;
    /** Each forward blocks on a socket for at most the timeout: virtual threads keep that cheap. */
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    Recursors(List<InetSocketAddress> servers, Duration timeout) {
        this.servers = List.copyOf(servers);
        this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
    }

    boolean configured() {
        return !servers.isEmpty();
    }

    /** The recursor's answer with the client's ID, or a failed future when none answered. */
    CompletableFuture<byte[]> forward(QueryInfo q, boolean overTcp, int udpPayload) {
        return CompletableFuture.supplyAsync(() -> {
            IOException last = null;
            for (InetSocketAddress server : servers) {
                try {
                    int id = ThreadLocalRandom.current().nextInt(0x10000);
                    byte[] query = encodeQuery(q, id, udpPayload);
                    byte[] answer = udp(server, query, id);
                    if (overTcp && (answer[2] & 0x02) != 0) {
                        answer = tcp(server, query);
                    }
                    answer[0] = (byte) (q.id() >>> 8);
                    answer[1] = (byte) q.id();
                    return answer;
                } catch (IOException e) {
                    LOG.fine(() -> "recursor " + server + " failed for " + q.name() + ": " + e);
                    last = e;
                }
            }
            throw new java.io.UncheckedIOException("no recursor answered " + q.name(), last);
        }, executor);
    }

    private byte[] udp(InetSocketAddress server, byte[] query, int id) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(timeoutMillis);
            socket.connect(server);
            socket.send(new DatagramPacket(query, query.length));
            byte[] buffer = new byte[65535];
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.receive(p);
                if (p.getLength() >= 12 && ((buffer[0] & 0xff) << 8 | (buffer[1] & 0xff)) == id) {
                    return java.util.Arrays.copyOf(buffer, p.getLength());
                }
                if (System.nanoTime() > deadline) {
                    throw new SocketTimeoutException("no matching answer from " + server);
                }
            }
        }
    }

    private byte[] tcp(InetSocketAddress server, byte[] query) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            return in.readNBytes(length);
        }
    }

    /** A standard query for the client's question, with EDNS0 when the client used it. */
    static byte[] encodeQuery(QueryInfo q, int id, int udpPayload) {
        ByteBuf buf = Unpooled.buffer(64);
        try {
            buf.writeShort(id);
            buf.writeShort(q.recursionDesired() ? 0x0100 : 0);
            buf.writeShort(1);
            buf.writeShort(0);
            buf.writeShort(0);
            buf.writeShort(q.edns() ? 1 : 0);
            DnsRecordEncoder.DEFAULT.encodeQuestion(new DefaultDnsQuestion(q.name(), q.type(), q.dnsClass()), buf);
            if (q.edns()) {
                DnsRecordEncoder.DEFAULT.encodeRecord(new DefaultDnsRawRecord("", DnsRecordType.OPT, udpPayload, 0,
                        Unpooled.EMPTY_BUFFER), buf);
            }
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode a query for " + q.name(), e);
        } finally {
            buf.release();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
