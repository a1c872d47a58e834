package dev.meshplane.sidecar.dns;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A resource record before it goes to Netty's encoder: owner name, type, TTL and wire-format
 * RDATA. Its size on the wire is known up front (Netty writes names without compression), which
 * is what lets an answer be fitted to a UDP or TCP limit record by record.
 */
record Rr(String name, DnsRecordType type, long ttl, byte[] rdata) {
    /** The size of this record as Netty's encoder writes it. */
    int wireSize() {
        return nameWireLength(name) + 10 + rdata.length;
    }

    DnsRecord toNetty() {
        return new WireRecord(name, type, DnsRecord.CLASS_IN, ttl, Unpooled.wrappedBuffer(rdata));
    }

    /** The same record under another owner name (the name exactly as the client asked). */
    Rr named(String owner) {
        return owner.equals(name) ? this : new Rr(owner, type, ttl, rdata);
    }

    static Rr a(String name, long ttl, byte[] ipv4) {
        return new Rr(name, DnsRecordType.A, ttl, ipv4);
    }

    static Rr aaaa(String name, long ttl, byte[] ipv6) {
        return new Rr(name, DnsRecordType.AAAA, ttl, ipv6);
    }

    /** RFC 2782: priority, weight, port, target (never compressed). */
    static Rr srv(String name, long ttl, int priority, int weight, int port, byte[] target) {
        byte[] rdata = new byte[6 + target.length];
        put16(rdata, 0, priority);
        put16(rdata, 2, weight);
        put16(rdata, 4, port);
        System.arraycopy(target, 0, rdata, 6, target.length);
        return new Rr(name, DnsRecordType.SRV, ttl, rdata);
    }

    static Rr cname(String name, long ttl, byte[] target) {
        return new Rr(name, DnsRecordType.CNAME, ttl, target);
    }

    static Rr ns(String name, long ttl, byte[] target) {
        return new Rr(name, DnsRecordType.NS, ttl, target);
    }

    /** One TXT string, split into 255-byte character-strings when longer. */
    static Rr txt(String name, long ttl, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + bytes.length / 255 + 1);
        int at = 0;
        do {
            int len = Math.min(255, bytes.length - at);
            out.write(len);
            out.write(bytes, at, len);
            at += len;
        } while (at < bytes.length);
        return new Rr(name, DnsRecordType.TXT, ttl, out.toByteArray());
    }

    static Rr soa(String name, long ttl, byte[] mname, byte[] rname, long serial, int refresh, int retry,
                  int expire, long minimum) {
        byte[] rdata = new byte[mname.length + rname.length + 20];
        System.arraycopy(mname, 0, rdata, 0, mname.length);
        System.arraycopy(rname, 0, rdata, mname.length, rname.length);
        int at = mname.length + rname.length;
        put32(rdata, at, serial);
        put32(rdata, at + 4, refresh);
        put32(rdata, at + 8, retry);
        put32(rdata, at + 12, expire);
        put32(rdata, at + 16, minimum);
        return new Rr(name, DnsRecordType.SOA, ttl, rdata);
    }

    /** A name in wire format, or null when a label is empty, over 63 bytes, or the name over 255. */
    static byte[] encodeName(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        ByteArrayOutputStream out = new ByteArrayOutputStream(n.length() + 2);
        if (!n.isEmpty()) {
            for (String label : n.split("\\.", -1)) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                if (b.length == 0 || b.length > 63) {
                    return null;
                }
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
        return out.size() > 255 ? null : out.toByteArray();
    }

    /** What Netty's encoder writes for a name: labels without compression, then a zero byte. */
    static int nameWireLength(String name) {
        int length = 1;
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int len = i - labelStart;
                if (len == 0) {
                    break;
                }
                length += 1 + len;
                labelStart = i + 1;
            }
        }
        return length;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
