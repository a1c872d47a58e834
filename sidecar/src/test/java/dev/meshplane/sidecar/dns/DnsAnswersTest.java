package dev.meshplane.sidecar.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DnsAnswersTest {
    private static final Lookup.Service WEB = new Lookup.Service("consul.", "web", null, null);

    private static DnsConfig config(boolean onlyPassing) {
        DnsConfig d = DnsConfig.defaults(new InetSocketAddress("127.0.0.1", 0));
        return new DnsConfig(d.bind(), d.domain(), "", onlyPassing, d.nodeTtl(),
                Map.of("web", java.time.Duration.ofSeconds(9)), java.time.Duration.ofSeconds(4), List.of(),
                d.recursorTimeout(), d.maxUdpPayload(), d.maxWatchedServices(), d.serviceIdleTimeout());
    }

    private static Instance instance(String node, String address, HealthStatus status) {
        return Instance.of(ServiceEntry.newBuilder().setNode(Node.newBuilder().setName(node).setAddress(address))
                .setService(Service.newBuilder().setId("web-" + node).setName("web").setPort(80))
                .setAggregatedStatus(status).build());
    }

    private static ServiceView view() {
        return new ServiceView("web", List.of(instance("a", "10.0.0.1", HealthStatus.HEALTH_STATUS_PASSING),
                instance("b", "10.0.0.2", HealthStatus.HEALTH_STATUS_WARNING),
                instance("c", "10.0.0.3", HealthStatus.HEALTH_STATUS_CRITICAL),
                instance("d", "10.0.0.4", HealthStatus.HEALTH_STATUS_MAINTENANCE),
                instance("e", "10.0.0.1", HealthStatus.HEALTH_STATUS_PASSING)));
    }

    private static Set<String> addresses(Answer a) {
        Set<String> out = new TreeSet<>();
        a.answers().forEach(r -> out.add((r.rdata()[0] & 0xff) + "." + (r.rdata()[1] & 0xff) + "."
                + (r.rdata()[2] & 0xff) + "." + (r.rdata()[3] & 0xff)));
        return out;
    }

    @Test
    void criticalAndMaintenanceAreNeverAnsweredAndDuplicateAddressesCollapse() {
        Answer a = new DnsAnswers(config(false), "dc1").service(WEB, "web.service.consul.", DnsRecordType.A, view());
        assertEquals(Set.of("10.0.0.1", "10.0.0.2"), addresses(a));
        assertEquals(2, a.answers().size());
        a.answers().forEach(r -> assertEquals(9, r.ttl()));
    }

    @Test
    void onlyPassingLeavesOutWarningToo() {
        Answer a = new DnsAnswers(config(true), "dc1").service(WEB, "web.service.consul.", DnsRecordType.A, view());
        assertEquals(Set.of("10.0.0.1"), addresses(a));
    }

    @Test
    void noHealthyInstanceIsNxdomainWithTheNegativeTtl() {
        ServiceView sick = new ServiceView("web", List.of(instance("c", "10.0.0.3", HealthStatus.HEALTH_STATUS_CRITICAL)));
        Answer a = new DnsAnswers(config(false), "dc1").service(WEB, "web.service.consul.", DnsRecordType.A, sick);
        assertEquals(DnsResponseCode.NXDOMAIN, a.rcode());
        Rr soa = a.authority().get(0);
        assertEquals(DnsRecordType.SOA, soa.type());
        assertEquals(4, soa.ttl());
        byte[] d = soa.rdata();
        long minimum = ((d[d.length - 4] & 0xffL) << 24) | ((d[d.length - 3] & 0xff) << 16)
                | ((d[d.length - 2] & 0xff) << 8) | (d[d.length - 1] & 0xff);
        assertEquals(4, minimum);
    }

    @Test
    void fittingKeepsAnswersFirstSetsTcOnlyWhenAnAnswerIsDroppedAndNeverEmpties() {
        List<Instance> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(instance("n" + i, "10.1." + (i / 200) + "." + (i % 200 + 1), HealthStatus.HEALTH_STATUS_PASSING));
        }
        Answer srv = new DnsAnswers(config(false), "dc1").service(WEB, "web.service.consul.", DnsRecordType.SRV,
                new ServiceView("web", many));
        AnswerFitter.Fitted small = AnswerFitter.fit(srv, "web.service.consul.", false, 512);
        assertTrue(small.truncated());
        assertFalse(small.answers().isEmpty());
        assertTrue(small.size() <= 512, "fitted size " + small.size());
        for (Rr glue : small.additional()) {
            boolean matches = small.answers().stream().anyMatch(s -> s.srvTargetKey().equals(glue.ownerKey()));
            assertTrue(matches, "additional record " + glue.name() + " belongs to an included SRV answer");
        }
        AnswerFitter.Fitted all = AnswerFitter.fit(srv, "web.service.consul.", false, 65535);
        assertFalse(all.truncated());
        assertEquals(100, all.answers().size());
        assertEquals(100, all.additional().size());
        // Room for every answer but not all glue: no TC, glue trimmed.
        int answersOnly = 12 + Rr.nameWireLength("web.service.consul.") + 4
                + srv.answers().stream().mapToInt(Rr::wireSize).sum();
        AnswerFitter.Fitted tight = AnswerFitter.fit(srv, "web.service.consul.", false, answersOnly + 10);
        assertFalse(tight.truncated());
        assertEquals(100, tight.answers().size());
        assertTrue(tight.additional().size() < 100);
    }

    @Test
    void nameLengthsMatchTheEncoder() {
        assertEquals(1, Rr.nameWireLength(""));
        assertEquals(1, Rr.nameWireLength("."));
        assertEquals(20, Rr.nameWireLength("web.service.consul."));
        assertEquals(20, Rr.nameWireLength("web.service.consul"));
        assertEquals(20, Rr.encodeName("web.service.consul.").length);
        assertEquals(null, Rr.encodeName("x".repeat(64) + ".consul."));
    }
}
