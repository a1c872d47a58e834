package dev.meshplane.sidecar.dns;

import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A resource record: owner name, type, TTL and wire-format RDATA, encoded whole once when it is
 * made. Answers are remembered per service view and question, so a query that repeats one only
 * copies these bytes; its size is known up front, which is what lets an answer be fitted to a
 * UDP or TCP limit record by record. Names are written without compression.
 */
final class Rr {
    private final String name;
    private final DnsRecordType type;
    private final long ttl;
    private final byte[] rdata;
    /** The record as it goes on the wire. */
    private final byte[] wire;
    /** The owner name in lower case with a trailing dot: how SRV answers find their glue. */
    private final String ownerKey;
    /** For SRV, the target in the same form as {@link #ownerKey}; else null. */
    private final String srvTargetKey;

    Rr(String name, DnsRecordType type, long ttl, byte[] rdata) {
        this.name = name;
        this.type = type;
        this.ttl = ttl;
        this.rdata = rdata;
        byte[] owner = encodeName(name);
        if (owner == null) {
            throw new IllegalArgumentException("not a DNS name: " + name);
        }
        wire = new byte[owner.length + 10 + rdata.length];
        System.arraycopy(owner, 0, wire, 0, owner.length);
        int at = owner.length;
        put16(wire, at, type.intValue());
        put16(wire, at + 2, DnsRecord.CLASS_IN);
        put32(wire, at + 4, ttl);
        put16(wire, at + 8, rdata.length);
        System.arraycopy(rdata, 0, wire, at + 10, rdata.length);
        String lower = name.toLowerCase(Locale.ROOT);
        ownerKey = lower.endsWith(".") ? lower : lower + ".";
        srvTargetKey = type == DnsRecordType.SRV ? decodeName(rdata, 6).toLowerCase(Locale.ROOT) : null;
    }

    String name() {
        return name;
    }

    DnsRecordType type() {
        return type;
    }

    long ttl() {
        return ttl;
    }

    byte[] rdata() {
        return rdata;
    }

    byte[] wire() {
        return wire;
    }

    String ownerKey() {
        return ownerKey;
    }

    String srvTargetKey() {
        return srvTargetKey;
    }

    /** The size of this record on the wire. */
    int wireSize() {
        return wire.length;
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

    /** An uncompressed wire name starting at {@code at}, as text with a trailing dot ("." for the root). */
    static String decodeName(byte[] d, int at) {
        StringBuilder b = new StringBuilder();
        while (at < d.length && d[at] != 0) {
            int len = d[at] & 0xff;
            b.append(new String(d, at + 1, len, StandardCharsets.US_ASCII)).append('.');
            at += 1 + len;
        }
        return b.isEmpty() ? "." : b.toString();
    }

    /** The wire length of a name written without compression: labels, then a zero byte. */
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
