package dev.meshplane.controlplane.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's catalog reconciliation over an in-memory server (the same write path as Raft's). */
class MembershipReconcilerTest {
    private final ControlPlane server = ControlPlane.inMemory(ServerConfig.dev("127.0.0.1:8300"));
    private final MembershipReconciler reconciler = server.membership();
    private final List<PoolMember> pool = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        server.close();
    }

    private Optional<GetNodeResponse> node(String name) {
        return server.queries().node(name).value();
    }

    private Optional<Check> serfHealth(String name) {
        return node(name).flatMap(n -> n.getChecksList().stream().filter(c -> c.getCheckId().equals("serfHealth"))
                .findFirst());
    }

    private void settle() throws Exception {
        reconciler.awaitIdle(Duration.ofSeconds(10));
    }

    private static PoolMember member(String name, PoolMember.State state) {
        return new PoolMember(name, "10.0.0." + name.length(), "dc1", state);
    }

    @Test
    void aliveFailedLeftFollowTheMember() throws Exception {
        pool.add(member("web", PoolMember.State.ALIVE));
        reconciler.setPool(() -> List.copyOf(pool));
        settle();
        Check check = serfHealth("web").orElseThrow();
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, check.getStatus());
        assertEquals("Serf Health Status", check.getName());
        assertEquals("Agent alive and reachable", check.getOutput());
        assertEquals("10.0.0.3", node("web").orElseThrow().getNode().getAddress());

        reconciler.memberChanged(member("web", PoolMember.State.FAILED));
        settle();
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, serfHealth("web").orElseThrow().getStatus());
        assertEquals("Agent not live or unreachable", serfHealth("web").orElseThrow().getOutput());

        reconciler.memberChanged(member("web", PoolMember.State.ALIVE));
        settle();
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, serfHealth("web").orElseThrow().getStatus());

        reconciler.memberChanged(member("web", PoolMember.State.LEFT));
        settle();
        assertFalse(node("web").isPresent(), "a node that left is deregistered");
    }

    @Test
    void theAgentsNodeRecordAndServicesAreKept() throws Exception {
        server.consensus().propose(Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName("api").setAddress("10.9.9.9").setDatacenter("dc1")
                        .putMeta("team", "core"))
                .setService(Service.newBuilder().setId("api-1").setName("api").setPort(80))).build()).get();
        reconciler.memberChanged(member("api", PoolMember.State.FAILED));
        settle();
        GetNodeResponse n = node("api").orElseThrow();
        assertEquals("10.9.9.9", n.getNode().getAddress());
        assertEquals(Map.of("team", "core"), n.getNode().getMetaMap());
        assertEquals(1, n.getServicesCount());
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, serfHealth("api").orElseThrow().getStatus());
    }

    @Test
    void unchangedStateWritesNothingAndStrangersAreLeftAlone() throws Exception {
        pool.add(member("db", PoolMember.State.ALIVE));
        pool.add(new PoolMember("remote", "10.1.1.1", "dc2", PoolMember.State.ALIVE));
        reconciler.setPool(() -> List.copyOf(pool));
        settle();
        long index = node("db").orElseThrow().getNode().getModifyIndex();
        reconciler.reconcileAll();
        reconciler.memberChanged(member("db", PoolMember.State.ALIVE));
        settle();
        assertEquals(index, serfHealth("db").orElseThrow().getModifyIndex(), "no write when nothing changed");
        assertFalse(node("remote").isPresent(), "a member of another datacenter is not registered");

        reconciler.memberChanged(member("ghost", PoolMember.State.REAPED));
        reconciler.memberChanged(member("ghost", PoolMember.State.LEFT));
        settle();
        assertFalse(node("ghost").isPresent());
    }

    @Test
    void aFollowerWritesNothing() throws Exception {
        reconciler.setLeading(false);
        reconciler.memberChanged(member("idle", PoolMember.State.ALIVE));
        reconciler.setPool(() -> List.of(member("idle", PoolMember.State.ALIVE)));
        settle();
        assertFalse(node("idle").isPresent());
        reconciler.setLeading(true);
        settle();
        assertTrue(serfHealth("idle").isPresent(), "a new leader reconciles the whole pool");
    }

    private void register(String node, boolean withSerfHealth) throws Exception {
        CatalogRegisterRequest.Builder r = CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(node).setAddress("10.7.7.7").setDatacenter("dc1"))
                .setService(Service.newBuilder().setId(node + "-svc").setName("svc").setPort(80));
        if (withSerfHealth) {
            r.addChecks(Check.newBuilder().setCheckId("serfHealth").setName("Serf Health Status").setType("serf")
                    .setStatus(HealthStatus.HEALTH_STATUS_PASSING));
        }
        server.consensus().propose(Command.newBuilder().setCatalogRegister(r).build()).get();
    }

    @Test
    void serfHealthNodesAbsentFromThePoolAreSweptAfterTheGrace() throws Exception {
        register("gone", true);
        register("external", false);
        reconciler.setAbsentGrace(Duration.ZERO);
        pool.add(member("self", PoolMember.State.ALIVE));
        reconciler.setPool(() -> List.copyOf(pool));
        settle();
        assertTrue(node("gone").isPresent(), "a pool holding only this server proves nothing: nothing swept");

        pool.add(member("peer", PoolMember.State.ALIVE));
        pool.add(member("dead", PoolMember.State.FAILED));
        register("dead", true);
        reconciler.setAbsentGrace(Duration.ofHours(1));
        reconciler.reconcileAll();
        settle();
        assertTrue(node("gone").isPresent(), "absent for less than the grace: kept");

        reconciler.setAbsentGrace(Duration.ZERO);
        reconciler.reconcileAll();
        settle();
        assertFalse(node("gone").isPresent(), "carries serfHealth, not in the pool: deregistered");
        assertTrue(node("external").isPresent(), "registered without serfHealth: left alone");
        assertEquals(1, node("external").orElseThrow().getServicesCount());
        assertTrue(node("dead").isPresent(), "a failed member is still in the pool: kept, critical");
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, serfHealth("dead").orElseThrow().getStatus());
        assertTrue(serfHealth("self").isPresent() && serfHealth("peer").isPresent());
    }

    @Test
    void aFollowerSweepsNothing() throws Exception {
        register("gone", true);
        reconciler.setAbsentGrace(Duration.ZERO);
        reconciler.setLeading(false);
        reconciler.setPool(() -> List.of(member("a", PoolMember.State.ALIVE), member("b", PoolMember.State.ALIVE)));
        reconciler.reconcileAll();
        settle();
        assertTrue(node("gone").isPresent());
        reconciler.setLeading(true);
        settle();
        assertFalse(node("gone").isPresent(), "the new leader's first pass sweeps it");
    }
}
