package dev.meshplane.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.ListRaftPeersRequest;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.RemoveRaftPeerRequest;
import dev.meshplane.proto.v1.SnapshotChunk;
import dev.meshplane.proto.v1.SnapshotGrpc;
import dev.meshplane.proto.v1.SnapshotRestoreResponse;
import dev.meshplane.proto.v1.SnapshotSaveRequest;
import dev.meshplane.proto.v1.StatusGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTest {

    private static io.grpc.health.v1.HealthCheckResponse.ServingStatus readiness(TestCluster c, int server) {
        return io.grpc.health.v1.HealthGrpc.newBlockingStub(c.nodes.get(server).channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS).check(io.grpc.health.v1.HealthCheckRequest.newBuilder()
                        .setService(dev.meshplane.controlplane.Readiness.SERVICE).build()).getStatus();
    }

    private static void put(TestCluster c, int server, String key, String value) {
        KVGrpc.newBlockingStub(c.nodes.get(server).channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .put(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build());
    }

    private static String get(TestCluster c, int server, String key, Consistency consistency) {
        var r = KVGrpc.newBlockingStub(c.nodes.get(server).channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .get(KvGetRequest.newBuilder().setKey(key).setOptions(QueryOptions.newBuilder()
                        .setConsistency(consistency)).build());
        return r.getFound() ? r.getEntry().getValue().toStringUtf8() : null;
    }

    @Test
    void threeServersFormAClusterAndEveryServerTakesWrites(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                put(c, i, "k" + i, "v" + i);
            }
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 3; k++) {
                    assertEquals("v" + k, get(c, i, "k" + k, Consistency.CONSISTENCY_CONSISTENT),
                            "server " + i + " reads k" + k + " linearizably");
                }
            }
            String status = StatusGrpc.newBlockingStub(c.nodes.get((leader + 1) % 3).channel)
                    .leader(dev.meshplane.proto.v1.LeaderRequest.getDefaultInstance()).getAddress();
            assertEquals(c.address(leader), status);
            var peers = OperatorGrpc.newBlockingStub(c.nodes.get(0).channel)
                    .listRaftPeers(ListRaftPeersRequest.getDefaultInstance()).getPeersList();
            assertEquals(3, peers.size());
            for (int i = 0; i < 3; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (readiness(c, i) != io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) {
                    assertTrue(System.nanoTime() < deadline, "server " + i + " reports ready");
                    Thread.sleep(50);
                }
            }
            assertTrue(peers.stream().allMatch(p -> p.getVoter()));
            assertEquals(1, peers.stream().filter(p -> p.getLeader()).count());
        }
    }

    @Test
    void aKilledLeaderIsReplacedAndNothingAcknowledgedIsLost(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            int follower = (leader + 1) % 3;
            for (int i = 0; i < 20; i++) {
                put(c, follower, "acked/" + i, "v" + i);
            }
            c.stop(leader);
            long stopped = System.nanoTime();
            int next = c.awaitLeader(Duration.ofSeconds(10));
            long electedMillis = (System.nanoTime() - stopped) / 1_000_000;
            assertNotEquals(leader, next);
            // 2x the election timeout: 2 x (10 ticks x 100 ms, randomised up to 2x) = 4 s.
            assertTrue(electedMillis <= 4_000, "a new leader took " + electedMillis + " ms");
            for (int i = 0; i < 20; i++) {
                assertEquals("v" + i, get(c, follower, "acked/" + i, Consistency.CONSISTENCY_CONSISTENT));
            }
            c.start(leader);
            put(c, leader, "after", "restart");
            assertEquals("v7", get(c, leader, "acked/7", Consistency.CONSISTENCY_CONSISTENT));
        }
    }

    @Test
    void aFollowerThatFellBehindCatchesUpThroughASnapshot(@TempDir Path dir) throws Exception {
        // Small thresholds so that a few hundred writes compact the log past the follower's position.
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg.withSnapshots(50, 10))) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            int lagging = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            put(c, leader, "before", "down");
            c.stop(lagging);
            for (int i = 0; i < 300; i++) {
                put(c, other, "while-down/" + i, "v" + i);
            }
            var leaderLog = c.nodes.get(leader).log();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (leaderLog.storage().log().firstIndex() < 100) {
                assertTrue(System.nanoTime() < deadline, "the leader compacted its log");
                Thread.sleep(20);
            }
            c.start(lagging);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"v299".equals(get(c, lagging, "while-down/299", Consistency.CONSISTENCY_STALE))) {
                assertTrue(System.nanoTime() < deadline, "the restarted follower caught up");
                Thread.sleep(50);
            }
            assertTrue(c.nodes.get(lagging).log().storage().log().snapshotMetadata().getIndex() >= 100,
                    "it caught up by installing the leader's snapshot, not by replaying the log");
            assertEquals("down", get(c, lagging, "before", Consistency.CONSISTENCY_STALE));
            assertEquals("v150", get(c, lagging, "while-down/150", Consistency.CONSISTENCY_STALE));
            put(c, lagging, "after", "caught-up");
            assertEquals("caught-up", get(c, other, "after", Consistency.CONSISTENCY_CONSISTENT));
        }
    }

    @Test
    void aServerJoinsAsNonVoterIsPromotedAndCanBeRemoved(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            for (int i = 0; i < 50; i++) {
                put(c, leader, "seed/" + i, "v");
            }
            int fourth = c.addServer();
            var operator = OperatorGrpc.newBlockingStub(c.nodes.get(leader).channel);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                var peers = operator.listRaftPeers(ListRaftPeersRequest.getDefaultInstance()).getPeersList();
                var joined = peers.stream().filter(p -> p.getId().equals("server-" + fourth)).findFirst();
                if (joined.isPresent() && joined.get().getVoter()) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "the new server was promoted: " + peers);
                Thread.sleep(50);
            }
            assertEquals("v", get(c, fourth, "seed/49", Consistency.CONSISTENCY_CONSISTENT));
            put(c, fourth, "from-the-new-one", "ok");

            operator.removeRaftPeer(RemoveRaftPeerRequest.newBuilder().setId("server-" + fourth).build());
            var peers = operator.listRaftPeers(ListRaftPeersRequest.getDefaultInstance()).getPeersList();
            assertEquals(3, peers.size());
            assertTrue(peers.stream().noneMatch(p -> p.getId().equals("server-" + fourth)));
            assertEquals("ok", get(c, leader, "from-the-new-one", Consistency.CONSISTENCY_CONSISTENT));
        }
    }

    @Test
    void staleReadsAnswerWithoutALeaderAndSayHowStale(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            int survivor = (leader + 1) % 3;
            put(c, survivor, "stale/k", "v");
            // Wait until the survivor has applied it, then take away its quorum.
            assertEquals("v", get(c, survivor, "stale/k", Consistency.CONSISTENCY_CONSISTENT));
            c.stop(leader);
            c.stop((leader + 2) % 3);
            Thread.sleep(1_500);
            var r = KVGrpc.newBlockingStub(c.nodes.get(survivor).channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .get(KvGetRequest.newBuilder().setKey("stale/k").setOptions(QueryOptions.newBuilder()
                            .setConsistency(Consistency.CONSISTENCY_STALE)).build());
            assertEquals("v", r.getEntry().getValue().toStringUtf8());
            assertTrue(r.getMeta().getLastContact().getSeconds() >= 1, "last contact reports how stale: "
                    + r.getMeta().getLastContact());
            assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING,
                    readiness(c, survivor), "without a quorum the server is not ready");
            var e = assertThrows(StatusRuntimeException.class, () -> KVGrpc.newBlockingStub(c.nodes.get(survivor).channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).get(KvGetRequest.newBuilder().setKey("stale/k")
                            .setOptions(QueryOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_CONSISTENT))
                            .build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "a consistent read needs a quorum");
            var w = assertThrows(StatusRuntimeException.class, () -> put(c, survivor, "no", "quorum"));
            assertEquals(Status.Code.UNAVAILABLE, w.getStatus().getCode());
        }
    }

    @Test
    void aSnapshotRestoreReplacesTheStateOnEveryServer(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, cfg -> cfg)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            int follower = (leader + 1) % 3;
            put(c, follower, "restore/a", "saved");
            java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
            SnapshotGrpc.newBlockingStub(c.nodes.get(follower).channel).save(SnapshotSaveRequest.getDefaultInstance())
                    .forEachRemaining(chunk -> saved.writeBytes(chunk.getData().toByteArray()));
            put(c, leader, "restore/a", "changed");
            put(c, leader, "restore/b", "added");

            var done = new java.util.concurrent.CompletableFuture<SnapshotRestoreResponse>();
            var up = SnapshotGrpc.newStub(c.nodes.get(follower).channel).restore(
                    new io.grpc.stub.StreamObserver<SnapshotRestoreResponse>() {
                        public void onNext(SnapshotRestoreResponse r) {
                            done.complete(r);
                        }

                        public void onError(Throwable t) {
                            done.completeExceptionally(t);
                        }

                        public void onCompleted() {
                        }
                    });
            up.onNext(SnapshotChunk.newBuilder().setData(ByteString.copyFrom(saved.toByteArray())).build());
            up.onCompleted();
            long restoredAt = done.get(60, TimeUnit.SECONDS).getIndex();
            assertTrue(restoredAt > 0);
            for (int i = 0; i < 3; i++) {
                assertEquals("saved", get(c, i, "restore/a", Consistency.CONSISTENCY_CONSISTENT), "server " + i);
                assertEquals(null, get(c, i, "restore/b", Consistency.CONSISTENCY_CONSISTENT), "server " + i);
            }
            put(c, leader, "restore/c", "life goes on");
            assertEquals("life goes on", get(c, follower, "restore/c", Consistency.CONSISTENCY_CONSISTENT));
        }
    }
}
