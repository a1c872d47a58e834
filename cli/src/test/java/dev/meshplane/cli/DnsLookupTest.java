package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Every DNS record type and name form, through dnsjava against a real dev agent configured with the DNS flags. */
class DnsLookupTest {
    static final FakeUpstreamDns UPSTREAM = startUpstream();

    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-dns", new Agent.DnsSettings("consul.", "mesh.",
            false, Duration.ofSeconds(3), Map.of("web", Duration.ofSeconds(30), "pre*", Duration.ofSeconds(5)),
            Duration.ofSeconds(7), List.of(UPSTREAM.address())));

    private static SimpleResolver dns;

    private static FakeUpstreamDns startUpstream() {
        try {
            return new FakeUpstreamDns();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void register() {
        dns = Dns.resolver(DEV.dnsPort());
        HttpApi api = new HttpApi(DEV.http());
        // web: two healthy on their nodes' addresses, one in warning, one critical (never answered).
        reg(api, "w1", "10.3.0.1", "{\"ID\": \"web-1\", \"Service\": \"web\", \"Port\": 8001, \"Tags\": [\"blue\"]}", "passing");
        reg(api, "w2", "10.3.0.2", "{\"ID\": \"web-2\", \"Service\": \"web\", \"Port\": 8002, \"Tags\": [\"green\"]}", "passing");
        reg(api, "w3", "10.3.0.3", "{\"ID\": \"web-3\", \"Service\": \"web\", \"Port\": 8003, \"Tags\": [\"blue\"]}", "warning");
        reg(api, "w4", "10.3.0.4", "{\"ID\": \"web-4\", \"Service\": \"web\", \"Port\": 8004, \"Tags\": [\"blue\"]}", "critical");
        // v6: an instance with its own IPv6 address.
        reg(api, "w1", "10.3.0.1", "{\"ID\": \"v6-1\", \"Service\": \"v6\", \"Port\": 9000, \"Address\": \"fd00::5\"}", "passing");
        // own: an instance with its own IPv4 address, not its node's.
        reg(api, "w2", "10.3.0.2", "{\"ID\": \"own-1\", \"Service\": \"own\", \"Port\": 9100, \"Address\": \"10.7.7.7\"}", "passing");
        reg(api, "w1", "10.3.0.1", "{\"ID\": \"prefixed-1\", \"Service\": \"prefixed\", \"Port\": 1}", "passing");
        api.put("/v1/catalog/register", "{\"Node\": \"meta-node\", \"Address\": \"10.3.9.9\", "
                + "\"NodeMeta\": {\"zone\": \"z1\", \"rfc1035-spf\": \"v=spf1 -all\"}}");
    }

    private static void reg(HttpApi api, String node, String address, String service, String status) {
        String id = service.replaceAll(".*\"ID\": \"([^\"]+)\".*", "$1");
        var r = api.put("/v1/catalog/register", "{\"Node\": \"" + node + "\", \"Address\": \"" + address
                + "\", \"Service\": " + service + ", \"Check\": {\"CheckID\": \"" + id + "-check\", \"ServiceID\": \""
                + id + "\", \"Status\": \"" + status + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
    }

    @AfterAll
    static void stopUpstream() {
        UPSTREAM.close();
    }

    private static Set<String> addresses(Message m) {
        return Dns.answers(m).stream().map(r -> r instanceof ARecord a ? a.getAddress().getHostAddress()
                : ((AAAARecord) r).getAddress().getHostAddress()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aRecordsListHealthyInstancesOnlyWithTheServiceTtl() {
        Message m = Dns.query(dns, "web.service.consul.", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        assertEquals(Set.of("10.3.0.1", "10.3.0.2", "10.3.0.3"), addresses(m), "critical web-4 is left out");
        Dns.answers(m).forEach(r -> assertEquals(30, r.getTTL()));
        assertEquals(5, Dns.answers(Dns.query(dns, "prefixed.service.consul.", Type.A)).get(0).getTTL());
        assertEquals(Set.of("10.3.0.1", "10.3.0.2", "10.3.0.3"),
                addresses(Dns.query(dns, "web.service.dc1.consul.", Type.A)));
    }

    @Test
    void aaaaRecordsForIpv6AddressesAndNoDataForTheOtherFamily() {
        Message m = Dns.query(dns, "v6.service.consul.", Type.AAAA);
        assertEquals(Set.of("fd00:0:0:0:0:0:0:5"), addresses(m));
        Message a = Dns.query(dns, "v6.service.consul.", Type.A);
        assertEquals(Rcode.NOERROR, a.getRcode());
        assertEquals(0, Dns.answers(a).size());
        assertTrue(Dns.authority(a).get(0) instanceof SOARecord);
    }

    @Test
    void srvTargetsTheNodeWithItsAddressInTheAdditionalSection() {
        Message m = Dns.query(dns, "web.service.consul.", Type.SRV);
        assertEquals(3, Dns.answers(m).size());
        Set<Integer> ports = new TreeSet<>();
        for (Record r : Dns.answers(m)) {
            SRVRecord srv = (SRVRecord) r;
            ports.add(srv.getPort());
            assertEquals(1, srv.getPriority());
            assertTrue(srv.getTarget().toString().endsWith(".node.dc1.consul."), srv.getTarget().toString());
            Record glue = Dns.additional(m).stream().filter(x -> x.getName().equals(srv.getTarget()))
                    .findFirst().orElseThrow();
            assertTrue(((ARecord) glue).getAddress().getHostAddress().startsWith("10.3.0."));
        }
        assertEquals(Set.of(8001, 8002, 8003), ports);
    }

    @Test
    void srvOfAServiceWithItsOwnAddressTargetsThatAddress() {
        Message m = Dns.query(dns, "own.service.consul.", Type.SRV);
        SRVRecord srv = (SRVRecord) Dns.answers(m).get(0);
        assertEquals("0a070707.addr.dc1.consul.", srv.getTarget().toString());
        assertEquals(9100, srv.getPort());
        assertEquals(Set.of("10.7.7.7"), addresses(Dns.query(dns, srv.getTarget().toString(), Type.A)));
    }

    @Test
    void tagAndRfc2782Lookups() {
        assertEquals(Set.of("10.3.0.1", "10.3.0.3"), addresses(Dns.query(dns, "blue.web.service.consul.", Type.A)));
        Message rfc = Dns.query(dns, "_web._green.service.consul.", Type.SRV);
        assertEquals(1, Dns.answers(rfc).size());
        assertEquals(8002, ((SRVRecord) Dns.answers(rfc).get(0)).getPort());
        assertEquals(3, Dns.answers(Dns.query(dns, "_web._tcp.service.consul.", Type.SRV)).size());
        assertEquals(Rcode.NXDOMAIN, Dns.query(dns, "purple.web.service.consul.", Type.A).getRcode());
    }

    @Test
    void nodeLookupGivesItsAddressAndMetaAsTxt() {
        Message a = Dns.query(dns, "meta-node.node.consul.", Type.A);
        assertEquals(Set.of("10.3.9.9"), addresses(a));
        assertEquals(3, Dns.answers(a).get(0).getTTL());
        Set<String> txtInAdditional = Dns.additional(a).stream().filter(r -> r instanceof TXTRecord)
                .map(r -> String.join("", ((TXTRecord) r).getStrings())).collect(Collectors.toSet());
        assertEquals(Set.of("zone=z1", "v=spf1 -all"), txtInAdditional);
        Message txt = Dns.query(dns, "meta-node.node.dc1.consul.", Type.TXT);
        assertEquals(2, Dns.answers(txt).size());
        assertEquals(Rcode.NXDOMAIN, Dns.query(dns, "ghost.node.consul.", Type.A).getRcode());
    }

    @Test
    void unknownNamesAreNxdomainWithAnSoaCarryingTheNegativeTtl() {
        for (String name : List.of("nothing.service.consul.", "web.service.dc7.consul.", "what.is.this.consul.")) {
            Message m = Dns.query(dns, name, Type.A);
            assertEquals(Rcode.NXDOMAIN, m.getRcode(), name);
            SOARecord soa = (SOARecord) Dns.authority(m).get(0);
            assertEquals(7, soa.getMinimum(), name);
            assertEquals(7, soa.getTTL(), name);
            assertEquals("consul.", soa.getName().toString());
        }
        Message apex = Dns.query(dns, "consul.", Type.SOA);
        assertEquals(Rcode.NOERROR, apex.getRcode());
        assertTrue(Dns.answers(apex).get(0) instanceof SOARecord);
    }

    @Test
    void theAlternateDomainAnswersTheSame() {
        assertEquals(Set.of("10.3.0.1", "10.3.0.2", "10.3.0.3"), addresses(Dns.query(dns, "web.service.mesh.", Type.A)));
        SRVRecord srv = (SRVRecord) Dns.answers(Dns.query(dns, "own.service.mesh.", Type.SRV)).get(0);
        assertTrue(srv.getTarget().toString().endsWith(".addr.dc1.mesh."), srv.getTarget().toString());
    }

    @Test
    void otherNamesGoToTheRecursor() {
        int before = UPSTREAM.queries();
        Message m = Dns.query(dns, "example.org.", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(Set.of(FakeUpstreamDns.ANSWER), addresses(m));
        assertTrue(m.getHeader().getFlag(Flags.RA));
        assertEquals(before + 1, UPSTREAM.queries());
    }

    @Test
    void answersFollowHealthChangesWithoutRestart() {
        HttpApi api = new HttpApi(DEV.http());
        reg(api, "w5", "10.3.0.5", "{\"ID\": \"late-1\", \"Service\": \"late\", \"Port\": 1}", "passing");
        assertEquals(Set.of("10.3.0.5"), addresses(Dns.query(dns, "late.service.consul.", Type.A)));
        reg(api, "w5", "10.3.0.5", "{\"ID\": \"late-1\", \"Service\": \"late\", \"Port\": 1}", "critical");
        long deadline = System.nanoTime() + 5_000_000_000L;
        int rcode;
        do {
            rcode = Dns.query(dns, "late.service.consul.", Type.A).getRcode();
        } while (rcode != Rcode.NXDOMAIN && System.nanoTime() < deadline);
        assertEquals(Rcode.NXDOMAIN, rcode, "a critical instance leaves the answers once the watch delivers it");
    }
}
