package dev.meshplane.sidecar.dns;

import io.netty.handler.codec.dns.DnsResponseCode;
import java.util.List;

/**
 * What to answer before fitting: response code, answer records in preference order, records
 * for the additional section (addresses of SRV targets, node meta), and the authority section
 * (the SOA of a negative answer).
 */
record Answer(DnsResponseCode rcode, List<Rr> answers, List<Rr> additional, List<Rr> authority) {
    static Answer of(DnsResponseCode rcode) {
        return new Answer(rcode, List.of(), List.of(), List.of());
    }
}
