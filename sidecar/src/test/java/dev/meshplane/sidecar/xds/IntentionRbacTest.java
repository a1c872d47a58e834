package dev.meshplane.sidecar.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.IntentionDecider;
import dev.meshplane.api.IntentionRules;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RBAC generated from intentions decides every caller as the intention precedence rules do. */
class IntentionRbacTest {
    private static final String TD = "7f3c1d2e-0000-4000-8000-00000000abcd.consul";

    private static Intention allow(String source, String destination) {
        return intention(source, destination, IntentionAction.INTENTION_ACTION_ALLOW);
    }

    private static Intention deny(String source, String destination) {
        return intention(source, destination, IntentionAction.INTENTION_ACTION_DENY);
    }

    private static Intention intention(String source, String destination, IntentionAction action) {
        return Intention.newBuilder().setSourceName(source).setDestinationName(destination).setAction(action)
                .setPrecedence(IntentionRules.precedence(source, destination)).build();
    }

    private static String id(String service) {
        return id(TD, "dc1", service);
    }

    private static String id(String trustDomain, String dc, String service) {
        return "spiffe://" + trustDomain + "/ns/default/dc/" + dc + "/svc/" + service;
    }

    private static boolean allowed(List<Intention> intentions, boolean defaultAllow, String callerId, String destination) {
        return RbacEvaluator.allows(IntentionRbac.forDestination(destination, intentions, defaultAllow, TD), callerId);
    }

    /** One row: the intentions, the default policy, the caller's service, and whether it may call "db". */
    private record Row(String what, List<Intention> intentions, boolean defaultAllow, String source, boolean allowed) {}

    @Test
    void precedenceTable() {
        List<Row> rows = List.of(
                new Row("no intention, default allow", List.of(), true, "web", true),
                new Row("no intention, default deny", List.of(), false, "web", false),
                new Row("exact deny", List.of(deny("web", "db")), true, "web", false),
                new Row("exact deny leaves others to the default", List.of(deny("web", "db")), true, "api", true),
                new Row("exact allow under default deny", List.of(allow("web", "db")), false, "web", true),
                new Row("others stay denied", List.of(allow("web", "db")), false, "api", false),
                new Row("exact allow beats * => db deny", List.of(deny("*", "db"), allow("web", "db")), true, "web", true),
                new Row("* => db deny for the rest", List.of(deny("*", "db"), allow("web", "db")), true, "api", false),
                new Row("exact deny beats * => db allow", List.of(allow("*", "db"), deny("web", "db")), false, "web", false),
                new Row("* => db allow for the rest", List.of(allow("*", "db"), deny("web", "db")), false, "api", true),
                new Row("* => db (8) beats web => * (6)", List.of(deny("web", "*"), allow("*", "db")), false, "web", true),
                new Row("web => * allow under default deny", List.of(allow("web", "*")), false, "web", true),
                new Row("web => * deny under default allow", List.of(deny("web", "*")), true, "web", false),
                new Row("web => * does not decide api", List.of(deny("web", "*")), true, "api", true),
                new Row("exact beats * => *", List.of(deny("*", "*"), allow("web", "db")), true, "web", true),
                new Row("* => * deny", List.of(deny("*", "*"), allow("web", "db")), true, "api", false),
                new Row("* => * allow under default deny", List.of(allow("*", "*")), false, "api", true),
                new Row("web => * (6) beats * => * (5)", List.of(allow("*", "*"), deny("web", "*")), true, "web", false),
                new Row("another destination's intention does not apply", List.of(deny("web", "cache")), true, "web", true),
                new Row("another destination's allow does not apply", List.of(allow("web", "cache")), false, "web", false));
        for (Row r : rows) {
            assertEquals(r.allowed(), allowed(r.intentions(), r.defaultAllow(), id(r.source()), "db"), r.what());
            // The servers' and the sidecar proxy's rule must say the same.
            assertEquals(r.allowed(), new IntentionDecider(r.intentions(), r.defaultAllow()).decide(r.source(), "db")
                    .allowed(), "the decider disagrees on: " + r.what());
        }
    }

    @Test
    void callersWithoutAMeshIdentityOfThisTrustDomainAreRefusedEvenUnderDefaultAllow() {
        List<Intention> none = List.of();
        assertFalse(allowed(none, true, null, "db"), "no client certificate");
        assertFalse(allowed(none, true, id("other.consul", "dc1", "web"), "db"), "another trust domain");
        assertFalse(allowed(none, true, "spiffe://" + TD + "/ns/default/dc/dc1/svc/web/extra", "db"), "extra path");
        assertFalse(allowed(none, true, "spiffe://" + TD + "/ns/other/dc/dc1/svc/web", "db"), "another namespace");
        assertFalse(allowed(none, true, "spiffe://" + TD.replace('.', 'x') + "/ns/default/dc/dc1/svc/web", "db"),
                "a dot of the trust domain is literal");
        assertTrue(allowed(none, true, id(TD, "dc2", "web"), "db"), "any datacenter, as the sidecar proxy");
    }

    @Test
    void exactSourcesMatchOnlyTheirOwnName() {
        List<Intention> denyWebV2 = List.of(deny("web.v2", "db"));
        assertFalse(allowed(denyWebV2, true, id("web.v2"), "db"));
        for (String other : List.of("webxv2", "web.v22", "xweb.v2", "web", "web.v")) {
            assertTrue(allowed(denyWebV2, true, id(other), "db"), other + " is not web.v2");
        }
        List<Intention> allowWeb = List.of(allow("web", "db"));
        for (String other : List.of("web2", "api-web", "we")) {
            assertFalse(allowed(allowWeb, false, id(other), "db"), other + " is not web");
        }
    }

    @Test
    void agreesWithTheDeciderOnRandomIntentionSets() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> names = List.of("a", "b", "c", "db", "*");
        for (int run = 0; run < 500; run++) {
            Map<String, Intention> byPair = new LinkedHashMap<>();
            int n = random.nextInt(7);
            for (int i = 0; i < n; i++) {
                String s = names.get(random.nextInt(names.size()));
                String d = names.get(random.nextInt(names.size()));
                byPair.put(s + ">" + d, random.nextBoolean() ? allow(s, d) : deny(s, d));
            }
            List<Intention> set = new ArrayList<>(byPair.values());
            boolean defaultAllow = random.nextBoolean();
            IntentionDecider decider = new IntentionDecider(set, defaultAllow);
            for (String destination : List.of("db", "a")) {
                RBAC rbac = IntentionRbac.forDestination(destination, set, defaultAllow, TD);
                for (String source : List.of("a", "b", "c", "db", "zz")) {
                    assertEquals(decider.decide(source, destination).allowed(), RbacEvaluator.allows(rbac, id(source)),
                            "seed " + seed + " run " + run + ": " + source + " => " + destination + " under " + set
                                    + " default " + (defaultAllow ? "allow" : "deny"));
                }
            }
        }
    }

    @Test
    void equalIntentionsGiveEqualBytesAndUnrelatedOnesChangeNothing() {
        List<Intention> base = List.of(deny("web", "db"), allow("api", "db"), allow("*", "*"));
        RBAC first = IntentionRbac.forDestination("db", base, false, TD);
        List<Intention> reordered = List.of(allow("*", "*"), allow("api", "db"), deny("web", "db"));
        assertEquals(first.toByteString(), IntentionRbac.forDestination("db", reordered, false, TD).toByteString());
        List<Intention> more = new ArrayList<>(base);
        more.add(deny("web", "cache"));
        more.add(base.get(0).toBuilder().setDescription("changed words").setModifyIndex(99).build());
        more.remove(0);
        assertEquals(first, IntentionRbac.forDestination("db", more, false, TD),
                "an intention of another destination, a description or an index change nothing for db");
    }

    @Test
    void denyAllRefusesEveryone() {
        assertFalse(RbacEvaluator.allows(IntentionRbac.denyAll(), id("web")));
    }

    @Test
    void serverListenerPutsTheRbacFilterBeforeTheRouter() throws Exception {
        HttpFilter rbac = IntentionRbac.filter(IntentionRbac.forDestination("db", List.of(), true, TD));
        Listener l = ServerListeners.build(ServerListeners.PREFIX + "127.0.0.1:8443", true, "mesh", rbac);
        HttpConnectionManager hcm = l.getFilterChains(0).getFilters(0).getTypedConfig()
                .unpack(HttpConnectionManager.class);
        assertEquals(List.of(IntentionRbac.RBAC_FILTER, MeshResources.ROUTER_FILTER),
                hcm.getHttpFiltersList().stream().map(HttpFilter::getName).toList());
        assertEquals("type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
                hcm.getHttpFilters(0).getTypedConfig().getTypeUrl());
        Listener plain = ServerListeners.build(ServerListeners.PREFIX + "127.0.0.1:8443", false, "mesh", null);
        assertEquals(List.of(MeshResources.ROUTER_FILTER), plain.getFilterChains(0).getFilters(0).getTypedConfig()
                .unpack(HttpConnectionManager.class).getHttpFiltersList().stream().map(HttpFilter::getName).toList());
    }
}
