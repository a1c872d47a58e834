package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.client.MeshCredentials;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intentions enforced by grpc-java itself: an XdsServerBuilder server whose Listener, served by a
 * real dev agent, carries mTLS and the RBAC filter generated from the intentions. Every certificate
 * is a real leaf of the agent's CA, read from the cert files the agent writes for its services.
 * An allowed caller gets through, a denied one gets PERMISSION_DENIED from gRPC's RBAC filter, and
 * `meshctl intention` flips both for new calls.
 */
class XdsRbacTest {
    private static final String SERVER = "rbac-greeter";
    private static final String FRIEND = "rbac-friend";
    private static final String STRANGER = "rbac-stranger";
    @TempDir
    static Path certs;
    static Agent agent;
    static ManagedChannel api;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = Agent.start(Agent.Settings.dev("node-xds-rbac", 0, 0), new Agent.Mesh(c -> c,
                ConnectAgentConfig.defaults().withCertFilesDir(certs)));
        api = NettyChannelBuilder.forAddress("127.0.0.1", agent.grpcAddress().getPort()).usePlaintext().build();
        waitFor("the node registered", Duration.ofSeconds(10), () -> agent.sidecar().nodeRegistered());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        agent.close();
    }

    static CliTest.Result meshctl(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-address";
        all[args.length + 1] = "127.0.0.1:" + agent.grpcAddress().getPort();
        return CliTest.meshctl(all);
    }

    /** Registers a native mesh service on the agent and waits for the files of its leaf. */
    private static Path meshService(String name, int port) throws InterruptedException {
        AgentGrpc.newBlockingStub(api).withDeadlineAfter(10, TimeUnit.SECONDS).registerService(RegisterServiceRequest
                .newBuilder().setService(Service.newBuilder().setName(name).setId(name + "-1").setAddress("127.0.0.1")
                        .setPort(port).setConnect(ServiceConnect.newBuilder().setNative(true))).build());
        Path dir = certs.resolve(name);
        waitFor("the cert files of " + name, Duration.ofSeconds(20), () -> Files.exists(dir.resolve("cert.pem"))
                && Files.exists(dir.resolve("key.pem")) && Files.exists(dir.resolve("roots.pem")));
        return dir;
    }

    private static long phase = System.nanoTime();

    /** Prints how long the last phase took (the machine is shared: this says where a slow run spent its time). */
    private static void phase(String what) {
        long now = System.nanoTime();
        System.out.printf("XdsRbacTest: %s took %.0f ms%n", what, (now - phase) / 1e6);
        phase = now;
    }

    @Test
    void intentionsAuthorizeCallersOfAnXdsServerAndFlippingThemFlipsNewCalls() throws Exception {
        phase("agent start");
        int port = ServerProcesses.freePorts(1)[0];
        meshService(SERVER, port);
        Path friendFiles = meshService(FRIEND, 9);
        Path strangerFiles = meshService(STRANGER, 9);
        assertEquals(0, meshctl("intention", "deny", STRANGER, SERVER).code());
        phase("three services with leaves and files, one intention");

        @SuppressWarnings("unchecked")
        Map<String, ?> bootstrap = (Map<String, ?>) JsonParser.parse(new XdsBootstrap(SERVER,
                "127.0.0.1:" + agent.grpcAddress().getPort(), SERVER + "-test", "dc1", certs, "mesh").toJson());
        Greeter greeter = new Greeter(SERVER + "-1");
        greeter.server.shutdownNow();
        Server server = XdsServerBuilder.forPort(port, XdsServerCredentials.create(InsecureServerCredentials.create()))
                .overrideBootstrapForTest(bootstrap).addService(greeter.definition()).build().start();
        MeshCredentials friendTls = MeshCredentials.load(friendFiles);
        MeshCredentials strangerTls = MeshCredentials.load(strangerFiles);
        ManagedChannel friend = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                friendTls.channelCredentials(SERVER)).build();
        ManagedChannel stranger = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                strangerTls.channelCredentials(SERVER)).build();
        phase("XdsServerBuilder start (Listener with RBAC received)");
        try {
            assertEquals(SERVER + "-1", Greeter.helloWhenReady(friend, 60_000), "the friend is allowed by default");
            phase("first call");
            int served = greeter.calls.get();
            assertEquals(Status.Code.PERMISSION_DENIED, code(stranger), "the stranger is denied by its intention");
            assertEquals(served, greeter.calls.get(), "a denied call never reaches the application");
            // A certificate claiming the friend's name, from a CA the mesh does not trust, fails the handshake.
            Path forged = new TestCerts().write(certs.resolve("forged"), FRIEND, "");
            try (MeshCredentials forgedTls = MeshCredentials.load(forged)) {
                ManagedChannel impostor = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                        forgedTls.channelCredentials(null)).build();
                try {
                    assertEquals(Status.Code.UNAVAILABLE, code(impostor), "the handshake refuses a foreign CA");
                } finally {
                    impostor.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
            assertEquals(served, greeter.calls.get(), "the impostor never reaches the application");
            phase("denied call and impostor");

            assertEquals(0, meshctl("intention", "deny", FRIEND, SERVER).code());
            assertEquals(0, meshctl("intention", "allow", STRANGER, SERVER).code());
            long flipped = System.nanoTime();
            waitFor("the friend denied and the stranger allowed", Duration.ofSeconds(10),
                    () -> code(friend) == Status.Code.PERMISSION_DENIED && code(stranger) == Status.Code.OK);
            System.out.printf("XdsRbacTest: new calls followed the flipped intentions %.0f ms after meshctl returned%n",
                    (System.nanoTime() - flipped) / 1e6);
            // Stable, not a passing glimpse: a run of new calls all decided by the new intentions.
            for (int i = 0; i < 20; i++) {
                assertEquals(Status.Code.PERMISSION_DENIED, code(friend));
                assertEquals(Status.Code.OK, code(stranger));
            }

            phase("flip and 40 calls");
            // Deleting the deny restores the default policy (allow) for the friend.
            assertEquals(0, meshctl("intention", "delete", FRIEND, SERVER).code());
            waitFor("the friend allowed again", Duration.ofSeconds(10), () -> code(friend) == Status.Code.OK);
            assertTrue(greeter.calls.get() > served);
            phase("delete and allowed again");
        } finally {
            friend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            stranger.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            friendTls.close();
            strangerTls.close();
        }
    }

    /** The status of one new call (OK when it succeeds). */
    private static Status.Code code(ManagedChannel channel) {
        try {
            Greeter.hello(channel, 5_000);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static void waitFor(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + limit.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
