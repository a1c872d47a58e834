package dev.meshplane.sidecar.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;

/**
 * Netty's record decoder, except that questions skip the IDN.toASCII conversion Netty's own
 * question class applies (a name read off the wire is already in its ASCII form).
 */
final class WireQuestionDecoder implements DnsRecordDecoder {
    private final DnsRecordDecoder records = DnsRecordDecoder.DEFAULT;

    private record Question(String name, DnsRecordType type, int dnsClass) implements DnsQuestion {
        @Override
        public long timeToLive() {
            return 0;
        }
    }

    @Override
    public DnsQuestion decodeQuestion(ByteBuf in) throws Exception {
        String name = DefaultDnsRecordDecoder.decodeName(in);
        DnsRecordType type = DnsRecordType.valueOf(in.readUnsignedShort());
        int dnsClass = in.readUnsignedShort();
        return new Question(name, type, dnsClass);
    }

    @Override
    public <T extends DnsRecord> T decodeRecord(ByteBuf in) throws Exception {
        return records.decodeRecord(in);
    }
}
