package dev.meshplane.sidecar.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;

/**
 * Writes a response message (RFC 1035 4.1): the header, the question echoed, then the fitted
 * records, which are already in wire form, and an OPT record when the client used EDNS0. Queries
 * are read with Netty's codec; answers are written here because Netty's encoder re-encodes every
 * name of every record per message, which cost more than everything else an answer does.
 */
final class ResponseWriter {
    private static final int QR = 1 << 15;
    private static final int AA = 1 << 10;
    private static final int TC = 1 << 9;
    private static final int RD = 1 << 8;
    private static final int RA = 1 << 7;

    /** Header bits besides the response code. */
    record Flags(boolean authoritative, boolean truncated, boolean recursionAvailable) {}

    private ResponseWriter() {}

    /**
     * @param udpPayload the payload size announced in our OPT record (written only when the query had EDNS0)
     * @param tcp        whether to prefix the two-byte message length (DNS over TCP)
     */
    static ByteBuf write(ByteBufAllocator alloc, QueryInfo q, DnsResponseCode rcode, Flags flags,
                         AnswerFitter.Fitted f, int udpPayload, boolean tcp) {
        int size = f.size() + (tcp ? 2 : 0);
        ByteBuf out = alloc.heapBuffer(size);
        if (tcp) {
            out.writeShort(f.size());
        }
        int code = rcode.intValue();
        int bits = QR | (code & 0xf);
        bits |= flags.authoritative() ? AA : 0;
        bits |= flags.truncated() ? TC : 0;
        bits |= q.recursionDesired() ? RD : 0;
        bits |= flags.recursionAvailable() ? RA : 0;
        out.writeShort(q.id());
        out.writeShort(bits);
        out.writeShort(q.question() == null ? 0 : 1);
        out.writeShort(f.answers().size());
        out.writeShort(f.authority().size());
        out.writeShort(f.additional().size() + (q.edns() ? 1 : 0));
        if (q.question() != null) {
            writeName(out, q.name());
            out.writeShort(q.type().intValue());
            out.writeShort(q.dnsClass());
        }
        f.answers().forEach(r -> out.writeBytes(r.wire()));
        f.authority().forEach(r -> out.writeBytes(r.wire()));
        f.additional().forEach(r -> out.writeBytes(r.wire()));
        if (q.edns()) {
            // OPT (RFC 6891): root owner, our UDP size as CLASS, extended RCODE's upper bits in the TTL.
            out.writeByte(0);
            out.writeShort(DnsRecordType.OPT.intValue());
            out.writeShort(udpPayload);
            out.writeInt(((code >>> 4) & 0xff) << 24);
            out.writeShort(0);
        }
        return out;
    }

    /** A name as labels without compression (the same length {@link Rr#nameWireLength} counts). */
    private static void writeName(ByteBuf out, String name) {
        int labelStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == '.') {
                int len = i - labelStart;
                if (len == 0) {
                    break;
                }
                out.writeByte(len);
                for (int c = labelStart; c < i; c++) {
                    out.writeByte(name.charAt(c));
                }
                labelStart = i + 1;
            }
        }
        out.writeByte(0);
    }
}
