package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdTest {
    private static final TrustDomain TD = TrustDomain.forCluster("11111111-2222-3333-4444-555555555555");

    @Test
    void formatsAndParsesTheConsulLeafForm() {
        SpiffeId id = SpiffeId.of(TD, "dc1", "web");
        assertEquals("spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web", id.uri());
        assertEquals(id, SpiffeId.parse(id.uri()));
        assertEquals("default", id.namespace());
        assertEquals("dc1", id.datacenter());
        assertEquals("web", id.service());
        assertEquals(id.uri(), id.toString());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "spiffe://td.consul/ns/default/dc/dc1/svc/web            | td.consul    | default | dc1    | web",
        "spiffe://a-b_c.9/ns/default/dc/DC-East/svc/Billing.v2_x | a-b_c.9      | default | DC-East| Billing.v2_x",
        "spiffe://td/ns/other/dc/d/svc/s                         | td           | other   | d      | s",
        "spiffe://td/ns/default/dc/dc1/svc/...x                  | td           | default | dc1    | ...x",
    })
    void acceptsValidIds(String uri, String td, String ns, String dc, String svc) {
        SpiffeId id = SpiffeId.parse(uri.strip());
        assertEquals(td.strip(), id.trustDomain().name());
        assertEquals(ns.strip(), id.namespace());
        assertEquals(dc.strip(), id.datacenter());
        assertEquals(svc.strip(), id.service());
        assertEquals(uri.strip(), id.uri());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''                                              | SPIFFE ID is empty",
        "http://td/ns/default/dc/dc1/svc/web             | must start with \"spiffe://\"",
        "SPIFFE://td/ns/default/dc/dc1/svc/web           | must start with \"spiffe://\"",
        "spiffe:///ns/default/dc/dc1/svc/web             | trust domain is empty",
        "spiffe://TD.consul/ns/default/dc/dc1/svc/web    | trust domains are lower case",
        "spiffe://td:8080/ns/default/dc/dc1/svc/web      | a port is not allowed",
        "spiffe://user@td/ns/default/dc/dc1/svc/web      | user info is not allowed",
        "spiffe://td/ns/default/dc/dc1/svc/web/          | must not end with '/'",
        "spiffe://td/                                    | must not end with '/'",
        "spiffe://td/ns/default//dc1/svc/web             | empty segment",
        "spiffe://td/ns/default/dc/../svc/web            | path segment \"..\" is not allowed",
        "spiffe://td/ns/default/dc/./svc/web             | path segment \".\" is not allowed",
        "spiffe://td/ns/default/dc/dc1/svc/we%20b        | percent-encoding is not allowed",
        "spiffe://td/ns/default/dc/dc1/svc/web?x=1       | a query is not allowed",
        "spiffe://td/ns/default/dc/dc1/svc/web#frag      | a fragment is not allowed",
        "spiffe://td/ns/default/dc/dc1/svc/wéb           | allowed are a-z, A-Z, 0-9",
        "spiffe://td                                     | got no path",
        "spiffe://td/ns/default/dc/dc1                   | path must be /ns/<namespace>/dc/<datacenter>/svc/<service>",
        "spiffe://td/ns/default/dc/dc1/svc/web/extra     | path must be /ns/<namespace>/dc/<datacenter>/svc/<service>",
        "spiffe://td/agent/client/dc/dc1/id/x            | got \"/agent/client/dc/dc1/id/x\"",
        "spiffe://td/NS/default/DC/dc1/SVC/web           | path must be /ns/",
    })
    void refusesInvalidIdsSayingWhatIsWrong(String uri, String expected) {
        CaException e = assertThrows(CaException.class, () -> SpiffeId.parse(uri.strip()));
        assertEquals(CaException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains(expected.strip()), () -> "message was: " + e.getMessage());
    }

    @Test
    void refusesNull() {
        CaException e = assertThrows(CaException.class, () -> SpiffeId.parse(null));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void enforcesThe2048ByteLimit() {
        String prefix = "spiffe://td/ns/default/dc/dc1/svc/";
        String fits = prefix + "s".repeat(2048 - prefix.length());
        assertEquals(2048, fits.length());
        assertEquals(2048 - prefix.length(), SpiffeId.parse(fits).service().length());

        String tooLong = fits + "s";
        CaException e = assertThrows(CaException.class, () -> SpiffeId.parse(tooLong));
        assertTrue(e.getMessage().contains("2049 bytes; the limit is 2048"), e.getMessage());

        CaException built = assertThrows(CaException.class,
                () -> SpiffeId.of(new TrustDomain("td"), "dc1", "s".repeat(2048)));
        assertTrue(built.getMessage().contains("the limit is 2048"), built.getMessage());
    }

    @Test
    void constructorValidatesEachPart() {
        CaException svc = assertThrows(CaException.class, () -> SpiffeId.of(TD, "dc1", "we/b"));
        assertTrue(svc.getMessage().startsWith("SPIFFE ID service:"), svc.getMessage());
        CaException dc = assertThrows(CaException.class, () -> SpiffeId.of(TD, "", "web"));
        assertTrue(dc.getMessage().contains("datacenter") && dc.getMessage().contains("empty"), dc.getMessage());
        assertThrows(CaException.class, () -> new SpiffeId(null, "default", "dc1", "web"));
    }

    @Test
    void trustDomainRules() {
        assertEquals("abc.consul", TrustDomain.forCluster("abc").name());
        assertEquals("spiffe://abc.consul", TrustDomain.forCluster("abc").uri());
        assertEquals(new TrustDomain("x.consul"), TrustDomain.parseUri("spiffe://x.consul"));

        CaException upper = assertThrows(CaException.class, () -> TrustDomain.forCluster("ABC"));
        assertTrue(upper.getMessage().contains("cluster id \"ABC\"") && upper.getMessage().contains("lower case"),
                upper.getMessage());
        CaException withPath = assertThrows(CaException.class,
                () -> TrustDomain.parseUri("spiffe://x.consul/ns/default/dc/dc1/svc/web"));
        assertTrue(withPath.getMessage().contains("has no path"), withPath.getMessage());
        CaException tooLong = assertThrows(CaException.class, () -> new TrustDomain("a".repeat(256)));
        assertTrue(tooLong.getMessage().contains("256 characters; the limit is 255"), tooLong.getMessage());
        assertEquals(255, new TrustDomain("a".repeat(255)).name().length());
    }

    @Test
    void controlCharactersAreEscapedInMessages() {
        CaException e = assertThrows(CaException.class, () -> SpiffeId.parse("spiffe://td/ns/default/dc/d\n/svc/x"));
        assertTrue(e.getMessage().contains("\\u000a") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
