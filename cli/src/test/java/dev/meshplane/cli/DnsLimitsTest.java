package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Size limits and transports: 500 instances truncated over UDP (never to an empty answer),
 * EDNS0 sizes honoured, everything over TCP, the resolver's TCP fallback, shuffling, REFUSED
 * without recursors, and dig against the agent.
 */
class DnsLimitsTest {
    static final int INSTANCES = 500;

    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-big");

    @BeforeAll
    static void registerFiveHundredInstances() {
        HttpApi api = new HttpApi(DEV.http());
        StringBuilder ops = new StringBuilder();
        for (int i = 0; i < INSTANCES; i++) {
            if (ops.length() > 0) {
                ops.append(',');
            }
            ops.append("{\"Service\": {\"Verb\": \"set\", \"Node\": \"node-big\", \"Service\": {\"ID\": \"big-").append(i)
                    .append("\", \"Service\": \"big\", \"Port\": ").append(10000 + i).append(", \"Address\": \"10.60.")
                    .append(i / 250).append('.').append(i % 250 + 1).append("\"}}}");
            if ((i + 1) % 100 == 0) {
                var r = api.put("/v1/txn", "[" + ops + "]");
                assertEquals(200, r.statusCode(), r.body());
                ops.setLength(0);
            }
        }
        for (int i = 0; i < 10; i++) {
            api.put("/v1/agent/service/register", "{\"Name\": \"ten\", \"ID\": \"ten-" + i + "\", \"Port\": 80,"
                    + " \"Address\": \"10.61.0." + (i + 1) + "\"}");
        }
    }

    @Test
    void udpWithoutEdnsIsTruncatedTo512BytesButNeverEmpty() {
        SimpleResolver r = Dns.resolver(DEV.dnsPort());
        r.setIgnoreTruncation(true);
        Message m = Dns.query(r, "big.service.consul.", Type.A);
        assertTrue(m.getHeader().getFlag(Flags.TC), "500 A records do not fit 512 bytes");
        int n = Dns.answers(m).size();
        assertTrue(n >= 10, "as many records as fit, got " + n);
        assertTrue(m.toWire().length <= 512, "message is " + m.toWire().length + " bytes");
        assertEquals(Rcode.NOERROR, m.getRcode());
    }

    @Test
    void ednsLetsMoreFitAndIsEchoed() {
        SimpleResolver r = Dns.resolver(DEV.dnsPort());
        r.setIgnoreTruncation(true);
        r.setEDNS(0, 4096, 0, List.of());
        Message m = Dns.query(r, "big.service.consul.", Type.A);
        assertTrue(m.getHeader().getFlag(Flags.TC));
        int n = Dns.answers(m).size();
        assertTrue(n > 100, "4096 bytes hold over 100 A records, got " + n);
        assertTrue(m.toWire().length <= 4096);
        OPTRecord opt = m.getOPT();
        assertTrue(opt != null, "an EDNS0 query gets an OPT record back");
        assertEquals(4096, opt.getPayloadSize());
        Message srv = Dns.query(r, "big.service.consul.", Type.SRV);
        assertTrue(srv.getHeader().getFlag(Flags.TC));
        assertFalse(Dns.answers(srv).isEmpty());
        assertTrue(srv.toWire().length <= 4096);
    }

    @Test
    void tcpReturnsAllFiveHundredAndTheResolverFallsBackToIt() {
        SimpleResolver tcp = Dns.resolver(DEV.dnsPort());
        tcp.setTCP(true);
        Message m = Dns.query(tcp, "big.service.consul.", Type.A);
        assertFalse(m.getHeader().getFlag(Flags.TC));
        assertEquals(INSTANCES, Dns.answers(m).size());
        Message srv = Dns.query(tcp, "big.service.consul.", Type.SRV);
        assertEquals(INSTANCES, Dns.answers(srv).size(), "every SRV answer fits 64 KiB; glue is dropped first");
        assertTrue(srv.toWire().length <= 65535);

        // A stock resolver asks over UDP, sees TC, and asks again over TCP by itself.
        Message fallback = Dns.query(Dns.resolver(DEV.dnsPort()), "big.service.consul.", Type.A);
        assertEquals(INSTANCES, Dns.answers(fallback).size());
    }

    @Test
    void answersAreShuffled() {
        SimpleResolver r = Dns.resolver(DEV.dnsPort());
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Message m = Dns.query(r, "ten.service.consul.", Type.A);
            assertEquals(10, Dns.answers(m).size());
            firsts.add(((ARecord) Dns.answers(m).get(0)).getAddress().getHostAddress());
        }
        assertTrue(firsts.size() > 3, "first answers over 30 queries: " + firsts);
    }

    @Test
    void namesOutsideTheDomainAreRefusedWithoutRecursors() {
        Message m = Dns.query(Dns.resolver(DEV.dnsPort()), "example.org.", Type.A);
        assertEquals(Rcode.REFUSED, m.getRcode());
    }

    @Test
    void digGetsTheAnswers() throws Exception {
        assumeTrue(onPath("dig"), "dig is not installed here (CI installs dnsutils)");
        List<String> a = run("dig", "@127.0.0.1", "-p", String.valueOf(DEV.dnsPort()), "+short", "ten.service.consul");
        assertEquals(10, a.size(), a.toString());
        assertTrue(a.stream().allMatch(l -> l.startsWith("10.61.0.")), a.toString());
        List<String> srv = run("dig", "@127.0.0.1", "-p", String.valueOf(DEV.dnsPort()), "+short", "SRV",
                "ten.service.consul");
        assertEquals(10, srv.size(), srv.toString());
        assertTrue(srv.get(0).matches("1 1 80 [0-9a-f]{8}\\.addr\\.dc1\\.consul\\."), srv.get(0));
        List<String> tcp = run("dig", "@127.0.0.1", "-p", String.valueOf(DEV.dnsPort()), "+tcp", "+short",
                "big.service.consul");
        assertEquals(INSTANCES, tcp.size());
        List<String> nx = run("dig", "@127.0.0.1", "-p", String.valueOf(DEV.dnsPort()), "nope.service.consul");
        assertTrue(nx.stream().anyMatch(l -> l.contains("status: NXDOMAIN")), nx.toString());
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, program).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static List<String> run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.trim());
            }
        }
        return lines;
    }
}
