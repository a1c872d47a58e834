package dev.meshplane.sidecar.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class QueryNamesTest {
    private final QueryNames names = new QueryNames("consul.", "mesh.example.");

    @Test
    void serviceForms() {
        assertEquals(new Lookup.Service("consul.", "web", null, null), names.parse("web.service.consul."));
        assertEquals(new Lookup.Service("consul.", "web", null, "dc2"), names.parse("web.service.dc2.consul."));
        assertEquals(new Lookup.Service("consul.", "web", "v1", null), names.parse("v1.web.service.consul"));
        assertEquals(new Lookup.Service("consul.", "web", "v1", "dc1"), names.parse("_web._v1.service.dc1.consul."));
        assertEquals(new Lookup.Service("consul.", "web", null, null), names.parse("_web._tcp.service.consul."));
        assertEquals(new Lookup.Service("mesh.example.", "web", null, null), names.parse("web.service.MESH.example."));
        assertEquals(new Lookup.Service("consul.", "Web", null, null), names.parse("Web.SERVICE.Consul."));
    }

    @Test
    void nodeAddrApexUnknownAndForeign() {
        assertEquals(new Lookup.Node("consul.", "db-1", null), names.parse("db-1.node.consul."));
        assertEquals(new Lookup.Node("consul.", "host.rack1", "dc1"), names.parse("host.rack1.node.dc1.consul."));
        Lookup.Addr addr = assertInstanceOf(Lookup.Addr.class, names.parse("0a000001.addr.dc1.consul."));
        assertArrayEquals(new byte[] {10, 0, 0, 1}, addr.address());
        assertEquals(16, ((Lookup.Addr) names.parse("fd000000000000000000000000000005.addr.consul.")).address().length);
        assertEquals(new Lookup.Apex("consul."), names.parse("consul."));
        assertEquals(new Lookup.Apex("consul."), names.parse("CONSUL."));
        for (String unknown : new String[] {"service.consul.", "a.b.c.service.consul.", "x.consul.", "zz.addr.consul.",
                "_web.service.consul", "web..service.consul.", "web.service.dc1.extra.consul."}) {
            assertInstanceOf(Lookup.Unknown.class, names.parse(unknown), unknown);
        }
        assertInstanceOf(Lookup.Foreign.class, names.parse("example.org."));
        assertInstanceOf(Lookup.Foreign.class, names.parse("notconsul."));
        assertInstanceOf(Lookup.Foreign.class, names.parse("."));
    }
}
