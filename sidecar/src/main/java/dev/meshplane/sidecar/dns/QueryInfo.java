package dev.meshplane.sidecar.dns;

import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;

/**
 * What an answer needs from a query, copied out of Netty's message so the message can be
 * released at once while the answer may come later (after a watch is set up or a recursor
 * replies).
 *
 * @param question    the question as decoded (not reference-counted, so it may be echoed later)
 * @param ednsPayload the UDP size the client's OPT record offers, or -1 without EDNS0
 * @param ednsVersion the EDNS version asked for (only 0 exists)
 * @param sender      the client, for UDP replies (null over TCP)
 * @param recipient   our address the query arrived on (null over TCP)
 */
record QueryInfo(int id, DnsOpCode opCode, boolean recursionDesired, String name, DnsRecordType type, int dnsClass,
                 DnsQuestion question, int questions, int ednsPayload, int ednsVersion, InetSocketAddress sender,
                 InetSocketAddress recipient) {

    static QueryInfo of(DnsQuery q) {
        int questions = q.count(DnsSection.QUESTION);
        String name = "";
        DnsRecordType type = DnsRecordType.A;
        int dnsClass = DnsRecord.CLASS_IN;
        DnsQuestion question = null;
        if (questions > 0) {
            question = q.recordAt(DnsSection.QUESTION, 0);
            name = question.name();
            type = question.type();
            dnsClass = question.dnsClass();
        }
        int payload = -1;
        int version = 0;
        for (int i = 0; i < q.count(DnsSection.ADDITIONAL); i++) {
            DnsRecord r = q.recordAt(DnsSection.ADDITIONAL, i);
            if (r.type() == DnsRecordType.OPT) {
                // In an OPT record, CLASS is the UDP payload size and TTL carries the version.
                payload = r.dnsClass();
                version = (int) ((r.timeToLive() >>> 16) & 0xff);
            }
        }
        InetSocketAddress sender = null;
        InetSocketAddress recipient = null;
        if (q instanceof DatagramDnsQuery d) {
            sender = d.sender();
            recipient = d.recipient();
        }
        return new QueryInfo(q.id(), q.opCode(), q.isRecursionDesired(), name, type, dnsClass, question, questions, payload,
                version, sender, recipient);
    }

    boolean edns() {
        return ednsPayload >= 0;
    }
}
