package dev.meshplane.sidecar.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecordType;

/**
 * A record for Netty's encoder whose name is already ASCII. Netty's own record classes run every
 * name through IDN.toASCII on construction, which costs more than the rest of an answer; names
 * here come from the wire or from the catalog's ASCII-only rules, so the conversion is skipped.
 */
final class WireRecord extends DefaultByteBufHolder implements DnsRawRecord {
    private final String name;
    private final DnsRecordType type;
    private final int dnsClass;
    private final long ttl;

    WireRecord(String name, DnsRecordType type, int dnsClass, long ttl, ByteBuf content) {
        super(content);
        this.name = name;
        this.type = type;
        this.dnsClass = dnsClass;
        this.ttl = ttl;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DnsRecordType type() {
        return type;
    }

    @Override
    public int dnsClass() {
        return dnsClass;
    }

    @Override
    public long timeToLive() {
        return ttl;
    }

    @Override
    public WireRecord copy() {
        return replace(content().copy());
    }

    @Override
    public WireRecord duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public WireRecord retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public WireRecord replace(ByteBuf content) {
        return new WireRecord(name, type, dnsClass, ttl, content);
    }

    @Override
    public WireRecord retain() {
        super.retain();
        return this;
    }

    @Override
    public WireRecord retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public WireRecord touch() {
        super.touch();
        return this;
    }

    @Override
    public WireRecord touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return name + " " + ttl + " " + type.name();
    }
}
