package dev.meshplane.sidecar.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits an answer into a message size limit (512 bytes, the client's EDNS0 size, or 65535 over
 * TCP). The authority section goes first (a negative answer needs its SOA), then as many answer
 * records as fit, then additional records of the targets that made it. Dropping an answer record
 * sets TC; dropping only additional data does not (RFC 2181 9). An answer is never emptied to
 * make room: records that do not fit are skipped and smaller ones still tried.
 */
final class AnswerFitter {
    /** The DNS header. */
    static final int HEADER = 12;
    /** An OPT pseudo-record with no options: root name, type, class, TTL, RDLENGTH. */
    static final int OPT_RECORD = 11;

    record Fitted(List<Rr> answers, List<Rr> additional, List<Rr> authority, boolean truncated, int size) {}

    private AnswerFitter() {}

    /**
     * @param questionName the question's name (echoed in the question section)
     * @param withOpt      whether an OPT record will be added to the additional section
     */
    static Fitted fit(Answer a, String questionName, boolean withOpt, int limit) {
        int size = HEADER + Rr.nameWireLength(questionName) + 4 + (withOpt ? OPT_RECORD : 0);
        List<Rr> authority = new ArrayList<>();
        for (Rr r : a.authority()) {
            if (size + r.wireSize() <= limit) {
                authority.add(r);
                size += r.wireSize();
            }
        }
        boolean truncated = false;
        List<Rr> answers = new ArrayList<>(a.answers().size());
        java.util.Set<String> targets = null;
        for (Rr r : a.answers()) {
            int s = r.wireSize();
            if (size + s <= limit) {
                answers.add(r);
                size += s;
                if (r.srvTargetKey() != null) {
                    if (targets == null) {
                        targets = new java.util.HashSet<>();
                    }
                    targets.add(r.srvTargetKey());
                }
            } else {
                truncated = true;
            }
        }
        List<Rr> additional = new ArrayList<>(a.additional().size());
        for (Rr r : a.additional()) {
            boolean wanted = targets == null || r.type() == io.netty.handler.codec.dns.DnsRecordType.TXT
                    || targets.contains(r.ownerKey());
            int s = r.wireSize();
            if (wanted && size + s <= limit) {
                additional.add(r);
                size += s;
            }
        }
        return new Fitted(answers, additional, authority, truncated, size);
    }
}
