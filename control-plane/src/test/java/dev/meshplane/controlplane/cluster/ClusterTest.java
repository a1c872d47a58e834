package dev.meshplane.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.ListRaftPeersRequest;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.StatusGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterTest {

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
}
