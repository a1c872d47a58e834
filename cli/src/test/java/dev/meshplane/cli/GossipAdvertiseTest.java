package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PeersRequest;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.proto.v1.StatusGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -advertise, -advertise-wan and -retry-join-wan with real `meshctl agent` processes on this
 * host: a dc1 server listening on 0.0.0.0 and advertising 127.0.0.2 (LAN) and 127.0.0.3 (WAN),
 * a dc2 server that knows only the dc1 server's WAN address and starts first (so it must retry),
 * and a client agent on 0.0.0.0 without -advertise (the first non-loopback address is advertised).
 */
class GossipAdvertiseTest {
    /** Three JVMs start on a shared 2-core machine. */
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final List<Process> processes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        channels.forEach(ManagedChannel::shutdownNow);
    }

    /** A failure: exit 1 and exactly one line on stderr naming the flag. */
    private static void assertOneLineError(String mustContain, String... args) {
        CliTest.Result r = CliTest.meshctl(args);
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("Error: ") && r.err().contains(mustContain), r.err());
    }

    @Test
    void badAdvertiseAndWanFlagsAreOneLineErrors() {
        assertOneLineError("-advertise: \"pod.example\" is not an IP address", "agent", "-dev", "-advertise", "pod.example");
        assertOneLineError("-advertise: \"10.0.0.300\" is not an IP address", "agent", "-dev", "-advertise", "10.0.0.300");
        assertOneLineError("-advertise: 0.0.0.0 is a wildcard", "agent", "-dev", "-advertise", "0.0.0.0");
        assertOneLineError("-advertise: :: is a wildcard", "agent", "-dev", "-advertise", "::");
        assertOneLineError("-advertise-wan: only servers join the WAN pool", "agent", "-dev", "-advertise-wan", "10.0.0.1");
        String[] server = {"agent", "-server", "-data-dir", "/tmp/meshplane-never-created", "-bootstrap-expect", "1"};
        assertOneLineError("-advertise-wan: \"wan\" is not an IP address", concat(server, "-advertise-wan", "wan"));
        assertOneLineError("-retry-join-wan: \"10.0.0.1:99999\"", concat(server, "-retry-join-wan", "10.0.0.1:99999"));
        assertOneLineError("-retry-join-wan: this server runs no WAN pool (-serf-wan-port -1)",
                concat(server, "-serf-wan-port", "-1", "-retry-join-wan", "10.0.0.1"));
        assertOneLineError("-retry-join-wan: only servers join the WAN pool",
                "agent", "-retry-join", "127.0.0.1:8301", "-retry-join-wan", "10.0.0.1");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void agentsAdvertiseWhatTheyAreGivenAndServersJoinTheWanThroughRetry(@TempDir Path dir) throws Exception {
        int[] p = ServerProcesses.freePorts(13);
        int westRpc = p[0], westGrpc = p[1], westHttp = p[2], westLan = p[3], westWan = p[4];
        int eastRpc = p[5], eastGrpc = p[6], eastHttp = p[7], eastLan = p[8], eastWan = p[9];
        int cliGrpc = p[10], cliHttp = p[11], cliLan = p[12];

        // east starts first and retries its WAN join until west's WAN pool answers at 127.0.0.3.
        start(dir, "east", "-server", "-datacenter", "dc2", "-bootstrap-expect", "1", "-data-dir", dir.resolve("east").toString(),
                "-server-port", "" + eastRpc, "-grpc-port", "" + eastGrpc, "-http-port", "" + eastHttp, "-dns-port", "-1",
                "-serf-lan-port", "" + eastLan, "-serf-wan-port", "" + eastWan, "-retry-join-wan", "127.0.0.3:" + westWan);
        ManagedChannel east = channel(eastGrpc);
        await("east is up alone in its WAN pool", () -> wanMembers(east).size() == 1);

        start(dir, "west", "-server", "-bootstrap-expect", "1", "-data-dir", dir.resolve("west").toString(),
                "-bind", "0.0.0.0", "-advertise", "127.0.0.2", "-advertise-wan", "127.0.0.3",
                "-server-port", "" + westRpc, "-grpc-port", "" + westGrpc, "-http-port", "" + westHttp, "-dns-port", "-1",
                "-serf-lan-port", "" + westLan, "-serf-wan-port", "" + westWan);
        start(dir, "cli", "-bind", "0.0.0.0", "-retry-join", "127.0.0.2:" + westLan,
                "-grpc-port", "" + cliGrpc, "-http-port", "" + cliHttp, "-dns-port", "-1", "-serf-lan-port", "" + cliLan);
        ManagedChannel west = channel(westGrpc);

        // The WAN pool, joined by east through -retry-join-wan: west is there at its WAN address.
        await("east.dc2 and west.dc1 in the WAN pool", () -> wanMembers(west).stream()
                .filter(m -> m.getStatus().equals("alive")).count() == 2 && wanMembers(east).size() == 2);
        PoolMember westWanEntry = find(wanMembers(east), "west.dc1");
        assertEquals("127.0.0.3", westWanEntry.getAddress());
        assertEquals(westWan, westWanEntry.getPort());

        // The LAN pool: west at its -advertise address; cli at its first non-loopback address.
        await("cli alive in west's LAN pool", () -> lanMembers(west).stream()
                .anyMatch(m -> m.getName().equals("cli") && m.getStatus().equals("alive")));
        PoolMember westLanEntry = find(lanMembers(west), "west");
        assertEquals("127.0.0.2", westLanEntry.getAddress());
        assertEquals(westLan, westLanEntry.getPort());
        String cliAddress = find(lanMembers(west), "cli").getAddress();
        assertTrue(defaultCandidates().contains(cliAddress), cliAddress + " is one of " + defaultCandidates());
        assertEquals(cliLan, find(lanMembers(west), "cli").getPort());

        // Raft and the catalog use the advertised address too; the client reached the server's RPC
        // port (bound on 0.0.0.0) at 127.0.0.2, learned from gossip, since it registered its node.
        assertEquals(List.of("127.0.0.2:" + westRpc), StatusGrpc.newBlockingStub(west)
                .withDeadlineAfter(5, TimeUnit.SECONDS).peers(PeersRequest.getDefaultInstance()).getAddressesList());
        await("cli registered with serfHealth passing", () -> serfHealth(west, "cli")
                .filter(c -> c.getStatus() == HealthStatus.HEALTH_STATUS_PASSING).isPresent());
        assertEquals(cliAddress, AgentTesting.node(west, "cli").getNode().getAddress());
        assertEquals("127.0.0.2", AgentTesting.node(west, "west").getNode().getAddress());

        // /v1/agent/self and /v1/agent/members report the real gossip addresses and ports.
        HttpApi westApi = new HttpApi("http://127.0.0.1:" + westHttp);
        JsonNode self = HttpApi.json(westApi.get("/v1/agent/self"));
        assertEquals("127.0.0.2", self.get("Member").get("Addr").asText(), self.toString());
        assertEquals(westLan, self.get("Member").get("Port").asInt());
        assertEquals("consul", self.get("Member").get("Tags").get("role").asText());
        assertEquals(String.valueOf(westRpc), self.get("Member").get("Tags").get("port").asText());
        JsonNode debug = self.get("DebugConfig");
        assertEquals("127.0.0.2", debug.get("AdvertiseAddrLAN").asText());
        assertEquals("127.0.0.3", debug.get("AdvertiseAddrWAN").asText());
        assertEquals("tcp://127.0.0.2:" + westLan, debug.get("SerfAdvertiseAddrLAN").asText());
        assertEquals("tcp://127.0.0.3:" + westWan, debug.get("SerfAdvertiseAddrWAN").asText());
        assertEquals(westWan, debug.get("SerfPortWAN").asInt());
        JsonNode ownEntry = null;
        for (JsonNode m : HttpApi.json(westApi.get("/v1/agent/members"))) {
            if (m.get("Name").asText().equals("west")) {
                ownEntry = m;
            }
        }
        assertEquals("127.0.0.2", ownEntry.get("Addr").asText());
        assertEquals(westLan, ownEntry.get("Port").asInt());

        JsonNode cliSelf = HttpApi.json(new HttpApi("http://127.0.0.1:" + cliHttp).get("/v1/agent/self"));
        assertEquals(cliAddress, cliSelf.get("Member").get("Addr").asText());
        assertEquals(cliLan, cliSelf.get("Member").get("Port").asInt());
        assertEquals("node", cliSelf.get("Member").get("Tags").get("role").asText());
        assertFalse(cliSelf.get("DebugConfig").has("SerfAdvertiseAddrWAN"), "a client agent is in no WAN pool");
    }

    /** Non-loopback, non-link-local addresses of this host's interfaces that are up; IPv4 only if any. */
    private static Set<String> defaultCandidates() throws IOException {
        List<InetAddress> all = NetworkInterface.networkInterfaces().filter(n -> {
            try {
                return n.isUp() && !n.isLoopback();
            } catch (IOException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isMulticastAddress()).toList();
        boolean anyV4 = all.stream().anyMatch(a -> a instanceof Inet4Address);
        return all.stream().filter(a -> !anyV4 || a instanceof Inet4Address).map(InetAddress::getHostAddress)
                .collect(Collectors.toSet());
    }

    private void start(Path dir, String node, String... flags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "agent", "-node", node));
        cmd.addAll(List.of(flags));
        Path log = dir.resolve(node + ".log");
        logs.add(log);
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start());
    }

    private ManagedChannel channel(int grpcPort) {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        channels.add(ch);
        return ch;
    }

    private static List<PoolMember> lanMembers(ManagedChannel ch) {
        return AgentTesting.agent(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                .members(MembersRequest.getDefaultInstance()).getMembersList();
    }

    private static List<PoolMember> wanMembers(ManagedChannel ch) {
        return AgentTesting.agent(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                .members(MembersRequest.newBuilder().setWan(true).build()).getMembersList();
    }

    private static PoolMember find(List<PoolMember> members, String name) {
        return members.stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + members));
    }

    private static Optional<Check> serfHealth(ManagedChannel ch, String node) {
        return AgentTesting.catalog(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getNode(GetNodeRequest.newBuilder().setNode(node).build()).getChecksList().stream()
                .filter(c -> c.getCheckId().equals("serfHealth")).findFirst();
    }

    /** Waits for a condition; a call that fails (an agent still starting) counts as not yet. */
    private void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // retried until the deadline
            }
            if (System.nanoTime() > deadline) {
                StringBuilder tail = new StringBuilder();
                for (Path log : logs) {
                    if (Files.exists(log)) {
                        List<String> lines = Files.readAllLines(log);
                        tail.append("\n--- ").append(log.getFileName()).append(" (last 25 lines)\n")
                                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())));
                    }
                }
                throw new AssertionError("timed out after " + WAIT + " waiting for: " + what + tail);
            }
            Thread.sleep(200);
        }
    }
}
