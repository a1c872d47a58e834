package dev.meshplane.sidecar.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
        // Built in a plain array (each ByteBuf write checks the buffer's reference count), then wrapped.
        Message m = new Message(new byte[f.size() + (tcp ? 2 : 0)]);
        if (tcp) {
            m.short16(f.size());
        }
        int code = rcode.intValue();
        int bits = QR | (code & 0xf);
        bits |= flags.authoritative() ? AA : 0;
        bits |= flags.truncated() ? TC : 0;
        bits |= q.recursionDesired() ? RD : 0;
        bits |= flags.recursionAvailable() ? RA : 0;
        m.short16(q.id());
        m.short16(bits);
        m.short16(q.question() == null ? 0 : 1);
        m.short16(f.answers().size());
        m.short16(f.authority().size());
        m.short16(f.additional().size() + (q.edns() ? 1 : 0));
        if (q.question() != null) {
            m.name(q.name());
            m.short16(q.type().intValue());
            m.short16(q.dnsClass());
        }
        for (Rr r : f.answers()) {
            m.bytes(r.wire());
        }
        for (Rr r : f.authority()) {
            m.bytes(r.wire());
        }
        for (Rr r : f.additional()) {
            m.bytes(r.wire());
        }
        if (q.edns()) {
            // OPT (RFC 6891): root owner, our UDP size as CLASS, extended RCODE's upper bits in the TTL.
            m.byte8(0);
            m.short16(DnsRecordType.OPT.intValue());
            m.short16(udpPayload);
            m.short16(((code >>> 4) & 0xff) << 8);
            m.short16(0);
            m.short16(0);
        }
        return Unpooled.wrappedBuffer(m.out, 0, m.at);
    }

    /** A message being written into an array sized for it. */
    private static final class Message {
        final byte[] out;
        int at;

        Message(byte[] out) {
            this.out = out;
        }

        void byte8(int v) {
            out[at++] = (byte) v;
        }

        void short16(int v) {
            out[at++] = (byte) (v >>> 8);
            out[at++] = (byte) v;
        }

        void bytes(byte[] b) {
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }

        /** A name as labels without compression (the same length {@link Rr#nameWireLength} counts). */
        void name(String name) {
            int labelStart = 0;
            for (int i = 0; i <= name.length(); i++) {
                if (i == name.length() || name.charAt(i) == '.') {
                    int len = i - labelStart;
                    if (len == 0) {
                        break;
                    }
                    byte8(len);
                    for (int c = labelStart; c < i; c++) {
                        byte8(name.charAt(c));
                    }
                    labelStart = i + 1;
                }
            }
            byte8(0);
        }
    }
}
