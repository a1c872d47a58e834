package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.PeersRequest;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.StatusGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three `meshctl agent -server -bootstrap-expect 3` processes that know only each other's LAN
 * gossip addresses (-retry-join): they find each other's RPC addresses in the gossip tags,
 * bootstrap Raft, and keep it in line with the pool: a server back at a new address is
 * accepted, a server gone for good is removed once the dead-server grace has passed.
 */
class GossipClusterTest {
    /** Generous: three JVMs start on a shared 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void serversFormAndMaintainTheClusterThroughGossip(@TempDir Path dir) throws Exception {
        try (ServerProcesses servers = new ServerProcesses(dir, 3, true, "-dead-server-grace", "3s")) {
            servers.startAll();
            await(servers, "3 voters", () -> peers(servers.channels.get(0)).size() == 3);
            put(servers.channels.get(1), "formed", "yes");

            List<PoolMember> members = AgentTesting.agent(servers.channels.get(0))
                    .members(MembersRequest.getDefaultInstance()).getMembersList();
            assertEquals(List.of("s0", "s1", "s2"), members.stream().map(PoolMember::getName).toList());
            for (PoolMember m : members) {
                assertEquals("alive", m.getStatus());
                assertEquals("server", m.getTagsOrThrow("role"));
                assertEquals(String.valueOf(servers.serverPorts[List.of("s0", "s1", "s2").indexOf(m.getName())]),
                        m.getTagsOrThrow("port"));
            }
            // The servers found each other's WAN pool through the LAN (flood join).
            await(servers, "3 servers in the WAN pool", () -> AgentTesting.agent(servers.channels.get(0))
                    .members(MembersRequest.newBuilder().setWan(true).build()).getMembersList().stream()
                    .map(PoolMember::getName).toList().equals(List.of("s0.dc1", "s1.dc1", "s2.dc1")));
            for (String node : List.of("s0", "s1", "s2")) {
                await(servers, node + " serfHealth passing", () -> serfHealth(servers.channels.get(0), node)
                        == HealthStatus.HEALTH_STATUS_PASSING);
            }

            // s2 is killed and comes back under its name with new RPC and gossip ports (a
            // rescheduled pod): the others accept it at the new address.
            servers.processes[2].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            int[] fresh = ServerProcesses.freePorts(2);
            servers.serverPorts[2] = fresh[0];
            servers.lanPorts[2] = fresh[1];
            servers.start(2);
            String moved = "127.0.0.1:" + fresh[0];
            await(servers, "s2 a voter at " + moved, () -> peers(servers.channels.get(0)).contains(moved)
                    && peers(servers.channels.get(0)).size() == 3);
            put(servers.channels.get(0), "after-move", "yes");
            await(servers, "s2 serves consistent reads", () -> consistentGet(servers.channels.get(2), "after-move"));

            // s1 is killed for good: after the grace period the leader removes it (two healthy of
            // two remaining voters is a quorum), and the cluster keeps taking writes.
            servers.processes[1].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            await(servers, "s1 removed", () -> peers(servers.channels.get(0)).size() == 2);
            assertTrue(peers(servers.channels.get(0)).stream().noneMatch(p -> p.endsWith(":" + servers.serverPorts[1])));
            Thread.sleep(3000);
            assertEquals(2, peers(servers.channels.get(0)).size(), "a removed server is not added back while it is failed");
            put(servers.channels.get(2), "after-removal", "yes");
            await(servers, "s1 serfHealth critical", () -> serfHealth(servers.channels.get(0), "s1")
                    == HealthStatus.HEALTH_STATUS_CRITICAL);
        }
    }

    private static List<String> peers(ManagedChannel ch) {
        try {
            return StatusGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .peers(PeersRequest.getDefaultInstance()).getAddressesList();
        } catch (StatusRuntimeException e) {
            return List.of();
        }
    }

    private static HealthStatus serfHealth(ManagedChannel ch, String node) {
        try {
            return AgentTesting.catalog(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getNode(GetNodeRequest.newBuilder().setNode(node).build()).getChecksList().stream()
                    .filter(c -> c.getCheckId().equals("serfHealth")).map(Check::getStatus).findFirst()
                    .orElse(HealthStatus.UNRECOGNIZED);
        } catch (StatusRuntimeException e) {
            return HealthStatus.UNRECOGNIZED;
        }
    }

    /**
     * A write as a client makes it: UNAVAILABLE (this server has not yet learned the
     * configuration or the leader) is retried with back-off; any other failure fails the test.
     */
    private static void put(ManagedChannel ch, String key, String value) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long backoffMs = 100;
        while (true) {
            try {
                KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .put(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build());
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 2000);
        }
    }

    private static boolean consistentGet(ManagedChannel ch, String key) {
        try {
            return KVGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).get(KvGetRequest.newBuilder()
                    .setKey(key).setOptions(QueryOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_CONSISTENT))
                    .build()).hasEntry();
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private static void await(ServerProcesses servers, String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (int i = 0; i < servers.size; i++) {
                    Path log = servers.root.resolve("s" + i + ".log");
                    if (Files.exists(log)) {
                        List<String> lines = Files.readAllLines(log);
                        logs.append("\n--- s").append(i).append(" (last 30 lines)\n")
                                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
                    }
                }
                throw new AssertionError("timed out after " + WAIT + " waiting for: " + what + logs);
            }
            Thread.sleep(100);
        }
    }
}
