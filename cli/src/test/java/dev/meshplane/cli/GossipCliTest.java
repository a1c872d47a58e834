package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.crypto.Keyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** meshctl members, join, leave, keygen and keyring against real agents gossiping on loopback. */
class GossipCliTest {
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
        agents.forEach(Agent::close);
    }

    private Agent dev(String node, String key) throws Exception {
        GossipSettings g = GossipSettings.anyPorts(GossipAgentsTest.TEST_GOSSIP).withKey(key);
        Agent a = Agent.start(Agent.Settings.dev(node, 0, 0).withGossip(g));
        agents.add(a);
        return a;
    }

    private static CliTest.Result at(Agent a, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-address");
        all.add("127.0.0.1:" + a.grpcAddress().getPort());
        return CliTest.meshctl(all.toArray(String[]::new));
    }

    private static String gossipAddress(Agent a) {
        return a.gossip().pools().lan().address().toString();
    }

    /** A failure: exit 1 and exactly one line on stderr. */
    private static void assertOneLineError(CliTest.Result r, String mustContain) {
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("Error: ") && r.err().contains(mustContain), r.err());
    }

    @Test
    void gossipFlagsAreCheckedAndEveryCommandHasHelp() {
        CliTest.Result shortKey = CliTest.meshctl("agent", "-dev", "-encrypt", Base64.getEncoder().encodeToString(new byte[10]));
        assertOneLineError(shortKey, "-encrypt: ");
        assertTrue(shortKey.err().contains("10"), "names the length: " + shortKey.err());
        assertOneLineError(CliTest.meshctl("agent", "-dev", "-serf-lan-port", "70000"), "-serf-lan-port: 70000");
        assertOneLineError(CliTest.meshctl("agent", "-dev", "-serf-lan-port", "-1", "-encrypt", newKey()),
                "gossip is disabled");
        assertOneLineError(CliTest.meshctl("agent", "-server", "-data-dir", "/tmp/x", "-bootstrap-expect", "1",
                "-dead-server-grace", "-5s"), "-dead-server-grace");
        for (String command : List.of("members", "join", "leave", "keygen", "keyring")) {
            CliTest.Result help = CliTest.meshctl(command, "--help");
            assertEquals(0, help.code(), command);
            assertTrue(help.out().startsWith("Usage: meshctl " + command), help.out());
        }
    }

    @Test
    void keygenPrintsA32ByteKey() {
        CliTest.Result r = CliTest.meshctl("keygen");
        assertEquals(0, r.code());
        String key = r.out().strip();
        assertEquals(32, Base64.getDecoder().decode(key).length);
        Keyring.decode(key);
        assertTrue(!key.equals(CliTest.meshctl("keygen").out().strip()), "keys are random");
    }

    @Test
    void membersJoinAndLeave() throws Exception {
        Agent a = dev("cli-a", null);
        Agent b = dev("cli-b", null);
        CliTest.Result members = at(a, "members");
        assertEquals(0, members.code(), members.toString());
        List<String> lines = members.out().lines().toList();
        assertTrue(lines.get(0).matches("Node\\s+Address\\s+Status\\s+Type\\s+Build\\s+DC"), members.out());
        assertTrue(lines.get(1).matches("cli-a\\s+" + java.util.regex.Pattern.quote(gossipAddress(a))
                + "\\s+alive\\s+server\\s+\\S+\\s+dc1"), members.out());
        assertEquals(2, lines.size(), "alone before the join: " + members.out());

        CliTest.Result join = at(a, "join", gossipAddress(b));
        assertEquals(new CliTest.Result(0, "Successfully joined cluster by contacting 1 nodes.\n", ""), join);
        await("b sees a", Duration.ofSeconds(20), () -> at(b, "members").out().contains("cli-a"));
        CliTest.Result detailed = at(b, "members", "-detailed");
        assertTrue(detailed.out().lines().anyMatch(l -> l.matches("cli-a\\s+\\S+\\s+alive\\s+.*role=server.*")),
                detailed.out());

        assertOneLineError(at(a, "members", "-wan"), "WAN");
        assertOneLineError(at(a, "join", "127.0.0.1:notaport"), "addresses[0]");
        assertOneLineError(at(a, "join", "127.0.0.1:1"), "could not join");

        assertEquals(new CliTest.Result(0, "Graceful leave complete\n", ""), at(b, "leave"));
        await("a sees b left", Duration.ofSeconds(20), () -> at(a, "members").out().lines()
                .anyMatch(l -> l.matches("cli-b\\s+\\S+\\s+left\\s+.*")));
        await("b stopped after leaving", Duration.ofSeconds(20), () -> at(b, "members").code() != 0);
    }

    @Test
    void keyringRotatesOnEveryMember() throws Exception {
        String first = newKey();
        String second = newKey();
        Agent a = dev("ring-a", first);
        Agent b = dev("ring-b", first);
        Agent c = dev("ring-c", first);
        assertEquals(0, at(b, "join", gossipAddress(a)).code());
        assertEquals(0, at(c, "join", gossipAddress(a)).code());
        await("3 members", Duration.ofSeconds(20), () -> at(a, "members").out().lines()
                .filter(l -> l.contains(" alive ")).count() == 3);

        CliTest.Result list = at(a, "keyring", "-list");
        assertEquals("LAN gossip encryption keys (3 members):\n  " + first + " [3/3]\n", list.out());
        assertEquals(new CliTest.Result(0, "Keyring install done on 3 members\n", ""), at(a, "keyring", "-install", second));
        assertTrue(at(b, "keyring", "-list").out().contains(second + " [3/3]"));
        assertEquals(0, at(c, "keyring", "-use", second).code());
        assertEquals(0, at(a, "keyring", "-remove", first).code());
        assertEquals("LAN gossip encryption keys (3 members):\n  " + second + " [3/3]\n", at(b, "keyring", "-list").out());
        // Still one pool, now under the new key only.
        Thread.sleep(2000);
        assertEquals(3, at(c, "members").out().lines().filter(l -> l.contains(" alive ")).count());
        assertEquals(0, a.gossip().pools().lan().transportStats().droppedTotal(), "no packet was dropped during the rotation");

        assertOneLineError(at(a, "keyring", "-install", "not-base64!"), "key");
        assertOneLineError(at(a, "keyring", "-remove", second), "primary");
        assertEquals(2, at(a, "keyring").code(), "an action is required (usage error)");
    }

    private static String newKey() {
        return dev.meshplane.sidecar.gossip.crypto.Keygen.generate();
    }
}
