package dev.meshplane.sidecar.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the records for a lookup from the data it needs. Pure: no I/O, so the rules (health,
 * tags, shuffling, SRV targets, negative answers) are tested without sockets.
 */
final class DnsAnswers {
    private final DnsConfig config;
    private final String datacenter;

    DnsAnswers(DnsConfig config, String datacenter) {
        this.config = config;
        this.datacenter = datacenter;
    }

    /** Whether the lookup names another datacenter (not reachable until federation exists). */
    boolean foreignDatacenter(String dc) {
        return dc != null && !dc.equalsIgnoreCase(datacenter);
    }

    /**
     * The answer for a service question: built once per view and question, then shuffled per
     * query (answers only; the fitter keeps the glue of the SRV records that make it).
     */
    Answer service(Lookup.Service l, String qname, DnsRecordType qtype, ServiceView view) {
        Answer prepared = view.memo(qtype.intValue() + ":" + qname, () -> build(l, qname, qtype, view));
        if (prepared.answers().size() < 2) {
            return prepared;
        }
        Rr[] shuffled = prepared.answers().toArray(new Rr[0]);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Rr t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        return new Answer(prepared.rcode(), java.util.Arrays.asList(shuffled), prepared.additional(),
                prepared.authority());
    }

    private Answer build(Lookup.Service l, String qname, DnsRecordType qtype, ServiceView view) {
        List<Instance> chosen = new ArrayList<>();
        for (Instance i : view.instances()) {
            if (i.healthy(config.onlyPassing()) && (l.tag() == null || hasTag(i, l.tag()))) {
                chosen.add(i);
            }
        }
        if (chosen.isEmpty()) {
            return nxdomain(l.domain());
        }
        long ttl = config.serviceTtlSeconds(l.service());
        List<Rr> answers = new ArrayList<>();
        List<Rr> additional = new ArrayList<>();
        if (qtype == DnsRecordType.SRV) {
            Set<String> targets = new HashSet<>();
            for (Instance i : chosen) {
                srv(l, qname, ttl, i, answers, additional, targets);
            }
        } else if (qtype == DnsRecordType.A || qtype == DnsRecordType.AAAA || qtype == DnsRecordType.ANY) {
            Set<String> seen = new HashSet<>();
            for (Instance i : chosen) {
                Rr r = address(qname, ttl, i.address(), qtype);
                if (r != null && seen.add(java.util.HexFormat.of().formatHex(i.address()))) {
                    answers.add(r);
                }
            }
        }
        return answers.isEmpty() ? nodata(l.domain()) : new Answer(DnsResponseCode.NOERROR, List.copyOf(answers),
                List.copyOf(additional), List.of());
    }

    private void srv(Lookup.Service l, String qname, long ttl, Instance i, List<Rr> answers, List<Rr> additional,
                     Set<String> targets) {
        String target;
        boolean addAddress = true;
        if (i.address() == null) {
            target = i.hostname().endsWith(".") ? i.hostname() : i.hostname() + ".";
            addAddress = false;
        } else if (i.ownAddress()) {
            target = i.addrLabel() + ".addr." + datacenter + "." + l.domain();
        } else {
            target = i.node() + ".node." + datacenter + "." + l.domain();
        }
        byte[] wire = Rr.encodeName(target);
        if (wire == null && i.address() != null) {
            // A node name too long for a DNS label: point at its address instead.
            target = i.addrLabel() + ".addr." + datacenter + "." + l.domain();
            wire = Rr.encodeName(target);
        }
        if (wire == null) {
            return;
        }
        answers.add(Rr.srv(qname, ttl, 1, i.weight(), i.port(), wire));
        if (addAddress && targets.add(target.toLowerCase(Locale.ROOT))) {
            additional.add(address(target, ttl, i.address(), DnsRecordType.ANY));
        }
    }

    Answer node(Lookup.Node l, String qname, DnsRecordType qtype, String address, Map<String, String> meta) {
        long ttl = config.nodeTtl().toSeconds();
        List<Rr> answers = new ArrayList<>();
        List<Rr> additional = new ArrayList<>();
        boolean addressQuery = qtype == DnsRecordType.A || qtype == DnsRecordType.AAAA || qtype == DnsRecordType.ANY;
        if (addressQuery) {
            byte[] ip = Instance.ipLiteral(address);
            if (ip != null) {
                Rr r = address(qname, ttl, ip, qtype);
                if (r != null) {
                    answers.add(r);
                }
            } else {
                byte[] target = Rr.encodeName(address);
                if (target != null) {
                    answers.add(Rr.cname(qname, ttl, target));
                }
            }
        }
        List<Rr> txt = new ArrayList<>();
        meta.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> txt.add(Rr.txt(qname, ttl,
                // Consul's convention: keys starting "rfc1035-" publish their value alone.
                e.getKey().startsWith("rfc1035-") ? e.getValue() : e.getKey() + "=" + e.getValue())));
        if (qtype == DnsRecordType.TXT || qtype == DnsRecordType.ANY) {
            answers.addAll(txt);
        } else if (addressQuery) {
            additional.addAll(txt);
        }
        return answers.isEmpty() ? nodata(l.domain()) : new Answer(DnsResponseCode.NOERROR, answers, additional, List.of());
    }

    Answer addr(Lookup.Addr l, String qname, DnsRecordType qtype) {
        Rr r = address(qname, config.nodeTtl().toSeconds(), l.address(), qtype);
        return r == null ? nodata(l.domain()) : new Answer(DnsResponseCode.NOERROR, List.of(r), List.of(), List.of());
    }

    Answer apex(Lookup.Apex l, DnsRecordType qtype) {
        if (qtype == DnsRecordType.SOA) {
            return new Answer(DnsResponseCode.NOERROR, List.of(soa(l.domain())), List.of(), List.of());
        }
        if (qtype == DnsRecordType.NS) {
            return new Answer(DnsResponseCode.NOERROR,
                    List.of(Rr.ns(l.domain(), config.nodeTtl().toSeconds(), Rr.encodeName("ns." + l.domain()))),
                    List.of(), List.of());
        }
        return nodata(l.domain());
    }

    /** The name does not exist: NXDOMAIN with the SOA whose minimum tells resolvers how long to remember that. */
    Answer nxdomain(String domain) {
        return new Answer(DnsResponseCode.NXDOMAIN, List.of(), List.of(), List.of(soa(domain)));
    }

    /** The name exists but has no records of the type asked for. */
    Answer nodata(String domain) {
        return new Answer(DnsResponseCode.NOERROR, List.of(), List.of(), List.of(soa(domain)));
    }

    Rr soa(String domain) {
        long negative = config.negativeTtl().toSeconds();
        long serial = (System.currentTimeMillis() / 1000) & 0xffffffffL;
        return Rr.soa(domain, negative, Rr.encodeName("ns." + domain), Rr.encodeName("hostmaster." + domain),
                serial, 3600, 600, 86400, negative);
    }

    /** An A or AAAA record when the address family matches what was asked, else null. */
    private static Rr address(String name, long ttl, byte[] ip, DnsRecordType qtype) {
        if (ip == null) {
            return null;
        }
        if (ip.length == 4 && (qtype == DnsRecordType.A || qtype == DnsRecordType.ANY)) {
            return Rr.a(name, ttl, ip);
        }
        if (ip.length == 16 && (qtype == DnsRecordType.AAAA || qtype == DnsRecordType.ANY)) {
            return Rr.aaaa(name, ttl, ip);
        }
        return null;
    }

    private static boolean hasTag(Instance i, String tag) {
        for (String t : i.tags()) {
            if (t.equalsIgnoreCase(tag)) {
                return true;
            }
        }
        return false;
    }
}
