package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client library's mesh:/// resolver against a real dev agent and three real greeter servers. */
class MeshResolverTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-mesh");

    private static final List<Greeter> greeters = new ArrayList<>();
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Greeter g = new Greeter("mesh-greeter-" + i);
            greeters.add(g);
            register(g, HealthStatus.HEALTH_STATUS_PASSING);
        }
        channel = channel("mesh-greeter");
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (Greeter g : greeters) {
            g.close();
        }
    }

    /** The resolver as applications get it: found by gRPC's service loader; the authority names this test's agent. */
    static ManagedChannel channel(String service) {
        return Grpc.newChannelBuilder("mesh://" + DEV.address() + "/" + service, InsecureChannelCredentials.create())
                .build();
    }

    static void register(Greeter g, HealthStatus status) {
        CatalogGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).register(
                CatalogRegisterRequest.newBuilder()
                        .setNode(Node.newBuilder().setName("node-mesh").setAddress("127.0.0.1"))
                        .setService(Service.newBuilder().setName("mesh-greeter").setId(g.name).setPort(g.port()))
                        .addChecks(Check.newBuilder().setCheckId("check-" + g.name).setServiceId(g.name)
                                .setStatus(status))
                        .build());
    }

    static Set<String> callUntilAll(Set<String> names, long millis) {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!seen.containsAll(names) && System.nanoTime() < deadline) {
            seen.add(Greeter.helloWhenReady(channel, 5_000));
        }
        return seen;
    }

    @Test
    void spreadsCallsAndFollowsHealth() throws Exception {
        Set<String> all = Set.of("mesh-greeter-1", "mesh-greeter-2", "mesh-greeter-3");
        assertEquals(all, callUntilAll(all, 10_000));

        Greeter flipped = greeters.get(2);
        long flippedAt = System.nanoTime();
        register(flipped, HealthStatus.HEALTH_STATUS_CRITICAL);
        long lastHit = -1;
        while (System.nanoTime() < flippedAt + TimeUnit.MILLISECONDS.toNanos(2_000)) {
            long before = System.nanoTime();
            if (Greeter.hello(channel, 5_000).equals(flipped.name)) {
                lastHit = before;
            }
        }
        long stoppedAfter = lastHit < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(lastHit - flippedAt);
        assertTrue(stoppedAfter < 1_000, "still called " + stoppedAfter + " ms after going critical");

        register(flipped, HealthStatus.HEALTH_STATUS_PASSING);
        assertTrue(callUntilAll(Set.of(flipped.name), 5_000).contains(flipped.name));
    }

    @Test
    void unknownServiceFailsWithAClearStatus() throws Exception {
        ManagedChannel unknown = channel("mesh-nobody");
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> Greeter.hello(unknown, 5_000));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().contains("service mesh-nobody has no registered instance"),
                    e.getStatus().toString());
        } finally {
            unknown.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void localWatchersShareOneUpstreamStream() throws Exception {
        ManagedChannel second = channel("mesh-greeter");
        ManagedChannel third = channel("mesh-greeter");
        try {
            Greeter.helloWhenReady(second, 10_000);
            Greeter.helloWhenReady(third, 10_000);
            Greeter.helloWhenReady(channel, 10_000);
            // Three resolvers (three Watch streams to the sidecar), one stream from the sidecar to the servers.
            assertEquals(1, DEV.agent().sidecar().xds().upstreamWatches());
        } finally {
            second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            third.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
