package dev.meshplane.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.RotateRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA on a real 3-server Raft cluster: one root for the cluster, followers forward, a new leader signs. */
class ClusterCaTest {
    private static CaRootsResponse awaitRoots(TestCluster c, int server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                CaRootsResponse r = ConnectCAGrpc.newBlockingStub(c.nodes.get(server).channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS).roots(CaRootsRequest.getDefaultInstance());
                if (!r.getActiveRootId().isEmpty()) {
                    return r;
                }
            } catch (RuntimeException e) {
                // Not ready yet.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server " + server + " has no CA roots after 30 s");
    }

    private static SignResponse sign(TestCluster c, int server, CaRootsResponse roots) {
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(new TrustDomain(roots.getTrustDomain()), "dc1",
                "web"));
        return ConnectCAGrpc.newBlockingStub(c.nodes.get(server).channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .sign(SignRequest.newBuilder().setCsr(csr).setNode("node-1").build());
    }

    @Test
    void oneRootForTheClusterFollowersForwardAndANewLeaderSignsWithTheReplicatedKey(@TempDir Path dir)
            throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, r -> r)) {
            int leader = c.awaitLeader(Duration.ofSeconds(30));
            int follower = (leader + 1) % 3;
            CaRootsResponse roots = awaitRoots(c, leader);
            for (int i = 0; i < 3; i++) {
                CaRootsResponse seen = awaitRoots(c, i);
                assertEquals(roots.getActiveRootId(), seen.getActiveRootId(), "server " + i + " has the same root");
                assertEquals(1, seen.getRootsCount());
            }
            CatalogGrpc.newBlockingStub(c.nodes.get(follower).channel).register(CatalogRegisterRequest.newBuilder()
                    .setNode(Node.newBuilder().setName("node-1").setAddress("10.0.0.1"))
                    .setService(Service.newBuilder().setName("web").setPort(80)).build());
            SignResponse viaFollower = sign(c, follower, roots);
            assertEquals(roots.getActiveRootId(), viaFollower.getRootId());

            String rotatedTo = ConnectCAGrpc.newBlockingStub(c.nodes.get(follower).channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS).rotate(RotateRequest.getDefaultInstance()).getActiveRootId();
            c.stop(leader);
            int next = c.awaitLeader(Duration.ofSeconds(30));
            assertFalse(next == leader);
            SignResponse fromNewLeader = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (fromNewLeader == null) {
                try {
                    fromNewLeader = sign(c, next, roots);
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
            assertEquals(rotatedTo, fromNewLeader.getRootId(), "the new leader signs with the rotated root's key");
            CaRootsResponse after = awaitRoots(c, next);
            assertEquals(2, after.getRootsCount());
            assertEquals(roots.getTrustDomain(), after.getTrustDomain(), "the cluster ID never changes");
        }
    }
}
