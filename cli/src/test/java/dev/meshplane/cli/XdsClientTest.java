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
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc-java's own xDS client (grpc-xds, unmodified) dialling {@code xds:///greeter} through a real
 * dev agent's xDS server, with a bootstrap from `meshctl xds bootstrap`'s code, against three real
 * greeter servers registered in the catalog.
 */
class XdsClientTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-xds");

    private static final List<Greeter> greeters = new ArrayList<>();
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Greeter g = new Greeter("greeter-" + i);
            greeters.add(g);
            register(g, HealthStatus.HEALTH_STATUS_PASSING);
        }
        channel = xdsChannel("xds:///greeter");
        // grpc-java loads its xDS machinery (thousands of generated classes) on first use: seconds on
        // a busy machine. Wait for it once here so that the tests time what the mesh does.
        long start = System.nanoTime();
        Greeter.helloWhenReady(channel, 60_000);
        System.out.println("first xDS call answered after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (Greeter g : greeters) {
            g.close();
        }
    }

    /**
     * A channel made by grpc-java's own xDS resolver, configured exactly as an application is: the
     * bootstrap `meshctl xds bootstrap` prints, given as GRPC_XDS_BOOTSTRAP_CONFIG's system-property
     * twin (read whenever grpc-java creates an xDS client, so each test class can name its agent).
     */
    static ManagedChannel xdsChannel(String target) {
        String json = new XdsBootstrap("client-app", DEV.address(), "client-app-test", "dc1", null, "mesh").toJson();
        System.setProperty("io.grpc.xds.bootstrapConfig", json);
        return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    }

    static void register(Greeter g, HealthStatus status) {
        register(g, status, Map.of());
    }

    static void register(Greeter g, HealthStatus status, Map<String, String> meta) {
        CatalogGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).register(
                CatalogRegisterRequest.newBuilder()
                        .setNode(Node.newBuilder().setName("node-xds").setAddress("127.0.0.1"))
                        .setService(Service.newBuilder().setName("greeter").setId(g.name).setPort(g.port())
                                .putAllMeta(meta))
                        .addChecks(Check.newBuilder().setCheckId("check-" + g.name).setServiceId(g.name)
                                .setName("greeter health").setStatus(status))
                        .build());
    }

    /** Calls until every one of {@code names} answered or the time is up; returns who answered. */
    static Set<String> callUntilAll(Set<String> names, long millis) {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!seen.containsAll(names) && System.nanoTime() < deadline) {
            seen.add(Greeter.hello(channel, 5_000));
        }
        return seen;
    }

    @Test
    void callsSpreadOverAllThreeInstances() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 90; i++) {
            counts.merge(Greeter.hello(channel, 10_000), 1, Integer::sum);
        }
        assertEquals(Set.of("greeter-1", "greeter-2", "greeter-3"), counts.keySet(), counts.toString());
        // Round robin: each instance gets about a third.
        counts.values().forEach(c -> assertTrue(c >= 20, counts.toString()));
    }

    @Test
    void criticalInstanceStopsReceivingWithinOneSecondAndReturnsWhenPassing() throws Exception {
        callUntilAll(Set.of("greeter-1", "greeter-2", "greeter-3"), 10_000);
        Greeter flipped = greeters.get(1);
        long flippedAt = System.nanoTime();
        register(flipped, HealthStatus.HEALTH_STATUS_CRITICAL);
        long lastHit = -1;
        long end = flippedAt + TimeUnit.MILLISECONDS.toNanos(2_000);
        while (System.nanoTime() < end) {
            long before = System.nanoTime();
            if (Greeter.hello(channel, 5_000).equals(flipped.name)) {
                lastHit = before;
            }
        }
        long stoppedAfterMillis = lastHit < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(lastHit - flippedAt);
        System.out.println("critical instance last called " + stoppedAfterMillis + " ms after the flip");
        assertTrue(stoppedAfterMillis < 1_000, "still called " + stoppedAfterMillis + " ms after going critical");

        register(flipped, HealthStatus.HEALTH_STATUS_PASSING);
        assertTrue(callUntilAll(Set.of(flipped.name), 5_000).contains(flipped.name));
    }

    @Test
    void newInstanceStartsReceiving() throws Exception {
        Greeter fourth = new Greeter("greeter-4");
        greeters.add(fourth);
        register(fourth, HealthStatus.HEALTH_STATUS_PASSING);
        assertTrue(callUntilAll(Set.of("greeter-4"), 5_000).contains("greeter-4"));
    }

    @Test
    void unknownServiceFailsFastWithAClearStatus() throws Exception {
        ManagedChannel unknown = xdsChannel("xds:///no-such-service");
        try {
            long start = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> Greeter.hello(unknown, 10_000));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().contains("no-such-service"), e.getStatus().toString());
            // Far below grpc-java's 15 s does-not-exist timer: the full Listener set said it at once.
            assertTrue(millis < 5_000, "took " + millis + " ms: " + e.getStatus());
        } finally {
            unknown.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void rejectedClusterIsNackedAndThePreviousConfigKeepsServing() throws Exception {
        var xds = DEV.agent().sidecar().xds();
        callUntilAll(Set.of("greeter-1", "greeter-2", "greeter-3"), 10_000);
        long nacksBefore = xds.nacksReceived();
        // MAGLEV is a policy grpc-java does not implement: it must reject this Cluster.
        UnaryOperator<com.google.protobuf.Message> maglev = m -> m instanceof Cluster c
                ? c.toBuilder().setLbPolicy(Cluster.LbPolicy.MAGLEV).build() : m;
        xds.setResourceHookForTest(maglev);
        try {
            register(greeters.get(0), HealthStatus.HEALTH_STATUS_PASSING, Map.of("version", "2"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (xds.nacksReceived() == nacksBefore && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(xds.nacksReceived() > nacksBefore, "the client did not reject the MAGLEV cluster");
            // The last good Cluster keeps serving every instance.
            assertEquals(Set.of("greeter-1", "greeter-2", "greeter-3"),
                    callUntilAll(Set.of("greeter-1", "greeter-2", "greeter-3"), 5_000));
            long nacks = xds.nacksReceived();
            Thread.sleep(300);
            assertEquals(nacks, xds.nacksReceived(), "the rejected cluster was pushed again without a change");
        } finally {
            xds.setResourceHookForTest(UnaryOperator.identity());
            register(greeters.get(0), HealthStatus.HEALTH_STATUS_PASSING);
        }
        assertEquals(Set.of("greeter-1", "greeter-2", "greeter-3"),
                callUntilAll(Set.of("greeter-1", "greeter-2", "greeter-3"), 5_000));
    }
}
