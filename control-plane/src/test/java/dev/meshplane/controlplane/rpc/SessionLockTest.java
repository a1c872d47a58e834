package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.api.Durations;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionBehavior;
import dev.meshplane.proto.v1.SessionCreateRequest;
import dev.meshplane.proto.v1.SessionIdRequest;
import dev.meshplane.proto.v1.SessionInfoRequest;
import dev.meshplane.proto.v1.SessionListRequest;
import dev.meshplane.proto.v1.SessionsGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionLockTest {
    private InProcessServer server;
    private SessionsGrpc.SessionsBlockingStub sessions;
    private KVGrpc.KVBlockingStub kv;
    private CatalogGrpc.CatalogBlockingStub catalog;

    @BeforeEach
    void start() throws Exception {
        server = new InProcessServer(WatchConfig.DEFAULTS);
        sessions = SessionsGrpc.newBlockingStub(server.channel);
        kv = KVGrpc.newBlockingStub(server.channel);
        catalog = CatalogGrpc.newBlockingStub(server.channel);
        setSerfHealth("n1", HealthStatus.HEALTH_STATUS_PASSING);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private void setSerfHealth(String node, HealthStatus status) {
        catalog.register(CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(node).setAddress("10.0.0.1"))
                .addChecks(Check.newBuilder().setCheckId("serfHealth").setStatus(status)).build());
    }

    private String session(Session.Builder s) {
        return sessions.create(SessionCreateRequest.newBuilder().setSession(s.setNode("n1")).build()).getId();
    }

    private boolean acquire(String key, String session, String value) {
        return kv.put(KvPutRequest.newBuilder().setKey(key).setAcquire(session)
                .setValue(ByteString.copyFromUtf8(value)).build()).getApplied();
    }

    private boolean release(String key, String session) {
        return kv.put(KvPutRequest.newBuilder().setKey(key).setRelease(session).build()).getApplied();
    }

    private KvEntry get(String key) {
        return kv.get(KvGetRequest.newBuilder().setKey(key).build()).getEntry();
    }

    @Test
    void sessionsDefaultToTheNodeMembershipCheckAndFifteenSecondsOfLockDelay() {
        String id = session(Session.newBuilder().setName("leader-election"));
        Session s = sessions.info(SessionInfoRequest.newBuilder().setId(id).build()).getSession();
        assertEquals(List.of("serfHealth"), s.getNodeChecksList());
        assertEquals(Duration.ofSeconds(15), Durations.toJava(s.getLockDelay()));
        assertEquals(SessionBehavior.SESSION_BEHAVIOR_RELEASE, s.getBehavior());
        assertEquals(List.of(id), sessions.list(SessionListRequest.newBuilder().setNode("n1").build())
                .getSessionsList().stream().map(Session::getId).toList());
        assertTrue(sessions.list(SessionListRequest.newBuilder().setNode("n2").build()).getSessionsList().isEmpty());
    }

    @Test
    void badSessionsAreRefusedNamingTheField() {
        var e = assertThrows(StatusRuntimeException.class, () -> session(Session.newBuilder()
                .setTtl(Durations.toProto(Duration.ofHours(25)))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("session.ttl: 90000s is outside 1s to 24h (0 for none)", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> session(Session.newBuilder()
                .setLockDelay(Durations.toProto(Duration.ofSeconds(61)))));
        assertEquals("session.lock_delay: 61s is outside 0s to 60s", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> session(Session.newBuilder().addNodeChecks("nope")));
        assertEquals("node_checks: check \"nope\" is not registered on node \"n1\"", e.getStatus().getDescription());
        setSerfHealth("n1", HealthStatus.HEALTH_STATUS_CRITICAL);
        e = assertThrows(StatusRuntimeException.class, () -> session(Session.newBuilder()));
        assertEquals("node_checks: check \"serfHealth\" is in a critical state", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> sessions.create(SessionCreateRequest.newBuilder()
                .setSession(Session.newBuilder().setNode("ghost")).build()));
        assertEquals("node: \"ghost\" is not registered", e.getStatus().getDescription());
    }

    @Test
    void aLockHasOneHolderAndCountsItsAcquisitions() {
        String a = session(Session.newBuilder().setName("a"));
        String b = session(Session.newBuilder().setName("b"));
        assertTrue(acquire("locks/x", a, "held by a"));
        assertFalse(acquire("locks/x", b, "held by b"), "another session cannot take a held lock");
        assertTrue(acquire("locks/x", a, "still a"), "the holder may write again");
        KvEntry e = get("locks/x");
        assertEquals(a, e.getSession());
        assertEquals(1, e.getLockIndex());
        assertEquals("still a", e.getValue().toStringUtf8());
        assertFalse(release("locks/x", b), "only the holder releases");
        assertTrue(release("locks/x", a));
        assertTrue(acquire("locks/x", b, "held by b"));
        assertEquals(2, get("locks/x").getLockIndex());
        var e2 = assertThrows(StatusRuntimeException.class, () -> acquire("locks/y", "no-such-session", "v"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e2.getStatus().getCode());
        var e3 = assertThrows(StatusRuntimeException.class, () -> kv.put(KvPutRequest.newBuilder().setKey("k")
                .setAcquire(a).setCas(0).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e3.getStatus().getCode());
    }

    @Test
    void destroyingASessionReleasesItsLocksAndTheLockDelayHoldsThemBack() throws Exception {
        String a = session(Session.newBuilder().setLockDelay(Durations.toProto(Duration.ofMillis(500))));
        String b = session(Session.newBuilder());
        assertTrue(acquire("locks/d", a, "a"));
        sessions.destroy(SessionIdRequest.newBuilder().setId(a).build());
        KvEntry e = get("locks/d");
        assertEquals("", e.getSession(), "released");
        assertEquals("a", e.getValue().toStringUtf8(), "release keeps the value");
        assertFalse(acquire("locks/d", b, "b"), "within the lock delay");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!acquire("locks/d", b, "b")) {
            assertTrue(System.nanoTime() < deadline, "the lock becomes available after the delay");
            Thread.sleep(50);
        }
        assertEquals(b, get("locks/d").getSession());
    }

    @Test
    void aFailingCheckInvalidatesTheSessionDeletingItsKeysWhenAskedTo() {
        String del = session(Session.newBuilder().setBehavior(SessionBehavior.SESSION_BEHAVIOR_DELETE)
                .setLockDelay(Durations.toProto(Duration.ZERO)));
        String rel = session(Session.newBuilder().setLockDelay(Durations.toProto(Duration.ZERO)));
        assertTrue(acquire("locks/deleted", del, "x"));
        assertTrue(acquire("locks/released", rel, "y"));
        setSerfHealth("n1", HealthStatus.HEALTH_STATUS_CRITICAL);
        assertFalse(kv.get(KvGetRequest.newBuilder().setKey("locks/deleted").build()).getFound());
        assertEquals("", get("locks/released").getSession());
        assertTrue(sessions.list(SessionListRequest.getDefaultInstance()).getSessionsList().isEmpty());
        assertFalse(sessions.info(SessionInfoRequest.newBuilder().setId(rel).build()).hasSession());
    }

    @Test
    void anExpiredSessionReleasesItsLock() throws Exception {
        String s = session(Session.newBuilder().setTtl(Durations.toProto(Duration.ofSeconds(1)))
                .setLockDelay(Durations.toProto(Duration.ZERO)));
        assertTrue(acquire("locks/ttl", s, "x"));
        assertEquals(1, server.controlPlane.sessionTimersArmed());
        // Renewing keeps it alive past its TTL...
        for (int i = 0; i < 3; i++) {
            Thread.sleep(700);
            sessions.renew(SessionIdRequest.newBuilder().setId(s).build());
        }
        assertEquals(s, get("locks/ttl").getSession());
        // ...and without renewals it is gone within twice the TTL (plus scheduling slack).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!get("locks/ttl").getSession().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the session expired");
            Thread.sleep(50);
        }
        var e = assertThrows(StatusRuntimeException.class, () -> sessions.renew(SessionIdRequest.newBuilder()
                .setId(s).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals(0, server.controlPlane.sessionTimersArmed());
    }

    @Test
    void underContentionExactlyOneHolderAtATime() throws Exception {
        int clients = 8;
        int rounds = 40;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add(session(Session.newBuilder().setName("c" + i).setLockDelay(Durations.toProto(Duration.ZERO))));
        }
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        for (String id : ids) {
            Thread.ofVirtual().start(() -> {
                try {
                    int mine = 0;
                    while (mine < rounds) {
                        if (acquire("locks/contended", id, id)) {
                            maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                            assertEquals(id, get("locks/contended").getSession());
                            holders.decrementAndGet();
                            assertTrue(release("locks/contended", id));
                            mine++;
                            acquisitions.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(1, maxHolders.get(), "never two holders at once");
        assertEquals(clients * rounds, acquisitions.get());
        assertEquals(clients * rounds, get("locks/contended").getLockIndex(), "every acquisition counted");
    }

    @Test
    void concurrentCasIncrementsLoseNoUpdate() throws Exception {
        kv.put(KvPutRequest.newBuilder().setKey("counter").setValue(ByteString.copyFromUtf8("0")).build());
        int clients = 8;
        int each = 50;
        CountDownLatch done = new CountDownLatch(clients);
        AtomicInteger conflicts = new AtomicInteger();
        for (int c = 0; c < clients; c++) {
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < each; ) {
                        KvEntry e = get("counter");
                        long next = Long.parseLong(e.getValue().toStringUtf8()) + 1;
                        if (kv.put(KvPutRequest.newBuilder().setKey("counter").setCas(e.getModifyIndex())
                                .setValue(ByteString.copyFromUtf8(Long.toString(next))).build()).getApplied()) {
                            i++;
                        } else {
                            conflicts.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(Long.toString(clients * each), get("counter").getValue().toStringUtf8());
    }
}
