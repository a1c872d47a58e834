package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.ca.CaConfig;
import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.LeafSigner;
import dev.meshplane.ca.Pem;
import dev.meshplane.ca.SigningAuthorizer;
import dev.meshplane.ca.SigningCa;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.SidecarService;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import dev.meshplane.proto.v1.Upstream;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real applications (an echo server "db" and its client "web") behind two sidecars of two
 * agents in this JVM (a dev server+agent "alpha" and a client agent "beta"), over real sockets:
 * web -> beta's upstream listener -> mTLS -> alpha's public listener -> db. Beta renews its leaves
 * 200x faster than real time (1 h leaves), so renewals happen throughout the tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshEndToEndTest {
    private static final double SPEEDUP = 200;
    @TempDir
    static Path files;
    static Agent alpha;
    static Agent beta;
    static EchoServer db;
    static ManagedChannel alphaApi;
    static ManagedChannel betaApi;
    static int dbPublicPort;
    static int webPublicPort;
    static int upstreamPort;

    @BeforeAll
    static void startMesh() throws Exception {
        db = new EchoServer();
        alpha = Agent.start(Agent.Settings.dev("alpha", 0, 0), new Agent.Mesh(c -> c,
                ConnectAgentConfig.defaults().withCertFilesDir(files.resolve("alpha"))));
        beta = Agent.start(new Agent.Settings(Agent.Mode.CLIENT, "beta", "127.0.0.1", "127.0.0.1", 0, 0, "dc1",
                List.of("127.0.0.1:" + alpha.serverAddress().getPort()), 0, null, LocalAgentConfig.IN_MEMORY, -1, -1,
                Agent.DnsSettings.DEFAULTS), new Agent.Mesh(c -> c,
                ConnectAgentConfig.defaults().withCertFilesDir(files.resolve("beta")).withLeafTtl(Duration.ofHours(1))
                        .withRenewalSpeedup(SPEEDUP)));
        alphaApi = NettyChannelBuilder.forAddress("127.0.0.1", alpha.grpcAddress().getPort()).usePlaintext().build();
        betaApi = NettyChannelBuilder.forAddress("127.0.0.1", beta.grpcAddress().getPort()).usePlaintext().build();
        int[] ports = ServerProcesses.freePorts(3);
        dbPublicPort = ports[0];
        webPublicPort = ports[1];
        upstreamPort = ports[2];
        waitFor("both nodes registered", () -> alpha.sidecar().nodeRegistered() && beta.sidecar().nodeRegistered());
        AgentGrpc.newBlockingStub(alphaApi).registerService(RegisterServiceRequest.newBuilder().setService(
                Service.newBuilder().setName("db").setId("db-1").setPort(db.port()).setConnect(ServiceConnect.newBuilder()
                        .setSidecarService(SidecarService.newBuilder().setPort(dbPublicPort)))).build());
        AgentGrpc.newBlockingStub(betaApi).registerService(RegisterServiceRequest.newBuilder().setService(
                Service.newBuilder().setName("web").setId("web-1").setPort(9).setConnect(ServiceConnect.newBuilder()
                        .setSidecarService(SidecarService.newBuilder().setPort(webPublicPort).setProxy(SidecarProxy
                                .newBuilder().addUpstreams(Upstream.newBuilder().setDestinationName("db")
                                        .setLocalBindPort(upstreamPort)))))).build());
        waitFor("both sidecars ready", () -> alpha.sidecar().connect().ready("db-1")
                && beta.sidecar().connect().ready("web-1"));
        waitFor("a first request through the mesh", () -> EchoClient.works(upstreamPort, 2000));
    }

    @AfterAll
    static void stopMesh() throws Exception {
        alphaApi.shutdownNow();
        betaApi.shutdownNow();
        if (beta != null) {
            beta.close();
        }
        if (alpha != null) {
            alpha.close();
        }
        db.close();
    }

    static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static CliTest.Result meshctl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-address");
        all.add("127.0.0.1:" + alpha.grpcAddress().getPort());
        return CliTest.meshctl(all.toArray(String[]::new));
    }

    static CaRootsResponse roots() {
        return ConnectCAGrpc.newBlockingStub(alphaApi).roots(CaRootsRequest.getDefaultInstance());
    }

    static List<X509Certificate> bundle() {
        return roots().getRootsList().stream().map(r -> Pem.parseCertificate(r.getRootCert(), "root")).toList();
    }

    @Test
    @Order(1)
    void trafficFlowsOverMtlsAndProxylessFilesAreAConsistentSet() throws Exception {
        try (EchoClient c = new EchoClient(upstreamPort, 3000)) {
            byte[] payload = new byte[100_000];
            new java.util.Random(1).nextBytes(payload);
            c.roundTrip(payload);
        }
        Path dir = beta.sidecar().connect().certFilesDir("web").orElseThrow();
        waitFor("web's files", () -> Files.exists(dir.resolve("cert.pem")));
        List<X509Certificate> chain = Pem.parseCertificates(Files.readString(dir.resolve("cert.pem")), "cert.pem");
        PrivateKey key = Pem.parsePrivateKey(Files.readString(dir.resolve("key.pem")), "key.pem");
        List<X509Certificate> roots = Pem.parseCertificates(Files.readString(dir.resolve("roots.pem")), "roots.pem");
        // The key belongs to the certificate: what it signs the certificate's key verifies.
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(chain.get(0).getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(sig), "key.pem is the private key of cert.pem");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(roots.get(0), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(
                List.of(chain.get(0))), params);
        assertTrue(Files.isSymbolicLink(dir.resolve("cert.pem")), "names applications open are links through ..data");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("key.pem"))));
    }

    @Test
    @Order(2)
    void aDenyStopsNewConnectionsWithinASecondAndAnAllowRestoresThem() throws Exception {
        assertEquals(0, meshctl("intention", "check", "web", "db").code());
        try (EchoClient established = new EchoClient(upstreamPort, 3000)) {
            established.roundTrip("before".getBytes());
            CliTest.Result deny = meshctl("intention", "deny", "web", "db", "-description", "test");
            assertEquals(0, deny.code(), deny.err());
            long denied = System.nanoTime();
            long firstRefusal = -1;
            while (System.nanoTime() - denied < TimeUnit.SECONDS.toNanos(3)) {
                if (!EchoClient.works(upstreamPort, 2000)) {
                    firstRefusal = System.nanoTime();
                    break;
                }
            }
            assertTrue(firstRefusal > 0, "new connections still work 3 s after the deny");
            long millis = TimeUnit.NANOSECONDS.toMillis(firstRefusal - denied);
            assertTrue(millis < 1000, "the deny took " + millis + " ms to apply");
            for (int i = 0; i < 5; i++) {
                assertFalse(EchoClient.works(upstreamPort, 2000), "a new connection while denied");
            }
            established.roundTrip("still open".getBytes());

            CliTest.Result check = meshctl("intention", "check", "web", "db");
            assertEquals(1, check.code());
            assertEquals("Denied\ndenied by intention web => db (deny, precedence 9)\n", check.out());

            assertEquals(0, meshctl("intention", "allow", "web", "db").code());
            long allowed = System.nanoTime();
            waitFor("the allow", () -> EchoClient.works(upstreamPort, 2000));
            long restoreMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - allowed);
            assertTrue(restoreMillis < 1000, "the allow took " + restoreMillis + " ms to apply");
            CliTest.Result list = meshctl("intention", "list");
            assertTrue(list.out().lines().anyMatch(l -> l.matches("web\\s+allow\\s+db\\s+9")), list.out());
            assertEquals(0, meshctl("intention", "delete", "web", "db").code());
        }
    }

    @Test
    @Order(3)
    void aCallerWithACertificateFromAnotherCaIsRefused() throws Exception {
        CaRootsResponse roots = roots();
        TrustDomain td = new TrustDomain(roots.getTrustDomain());
        // A genuine leaf for web (beta may ask: web is registered there) gets through: the control.
        KeyPair genuineKeys = EcKeys.generateP256();
        SignResponse genuine = ConnectCAGrpc.newBlockingStub(alphaApi).sign(SignRequest.newBuilder()
                .setCsr(LeafCsr.create(genuineKeys, SpiffeId.of(td, "dc1", "web"))).setNode("beta").build());
        assertEquals("ping", MeshTls.ping(dbPublicPort, genuineKeys.getPrivate(),
                Pem.parseCertificates(genuine.getCertPem(), "leaf"), bundle()));
        // The same identity from a CA of the same trust domain that the cluster does not trust.
        SigningCa rogue = SigningCa.generateRoot(td, Instant.now(), CaConfig.DEFAULTS);
        KeyPair rogueKeys = EcKeys.generateP256();
        var rogueLeaf = new LeafSigner(rogue, "dc1", CaConfig.DEFAULTS, InstantSource.system())
                .sign(LeafCsr.create(rogueKeys, SpiffeId.of(td, "dc1", "web")), SigningAuthorizer.anyService());
        long before = db.connections.get();
        assertEquals("", MeshTls.ping(dbPublicPort, rogueKeys.getPrivate(), rogueLeaf.chain(), bundle()));
        assertEquals(before, db.connections.get(), "the application never saw the rogue caller");
    }

    @Test
    @Order(4)
    void rootRotationUnderContinuousTrafficFailsNoRequest() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean fresh = t % 2 == 0;
            clients.add(Thread.ofPlatform().name("traffic-" + t).start(() -> {
                byte[] payload = new byte[1024];
                EchoClient kept = null;
                while (!stop.get()) {
                    try {
                        if (fresh) {
                            try (EchoClient c = new EchoClient(upstreamPort, 5000)) {
                                c.roundTrip(payload);
                            }
                        } else {
                            if (kept == null) {
                                kept = new EchoClient(upstreamPort, 5000);
                            }
                            kept.roundTrip(payload);
                        }
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                }
            }));
        }
        Thread.sleep(1000);
        String before = roots().getActiveRootId();
        CliTest.Result rotated = meshctl("connect", "ca", "rotate");
        assertEquals(0, rotated.code(), rotated.err());
        String after = roots().getActiveRootId();
        assertNotEquals(before, after);
        assertTrue(rotated.out().contains(after), rotated.out());
        waitFor("both leaves from the new root", () -> beta.sidecar().connect().leaf("web")
                .map(l -> l.getRootId().equals(after)).orElse(false)
                && alpha.sidecar().connect().leaf("db").map(l -> l.getRootId().equals(after)).orElse(false));
        long okAtSwitch = ok.get();
        waitFor("traffic with the new leaves", () -> ok.get() > okAtSwitch + 50);
        stop.set(true);
        for (Thread t : clients) {
            t.join(10_000);
        }
        assertEquals(0, failed.get(), "failed requests; first: " + firstFailure.get());
        assertTrue(ok.get() > 100, "only " + ok.get() + " requests");
        CliTest.Result list = meshctl("connect", "ca", "roots");
        assertEquals(0, list.code());
        assertEquals(2, list.out().lines().filter(l -> l.contains(":")).filter(l -> l.contains("true")
                || l.contains("false")).count(), "both roots are listed: " + list.out());
    }

    @Test
    @Order(5)
    void leavesAreRenewedBeforeExpiryAndTheFilesFollow() throws Exception {
        var status = beta.sidecar().connect().leafStatus("web").orElseThrow();
        SignResponse first = status.leaf();
        Instant renewAt = status.renewAt();
        long life = first.getValidBefore().getSeconds() - first.getValidAfter().getSeconds();
        assertEquals(3600 + 60, life, "1 h leaves (plus backdating)");
        double at = (renewAt.getEpochSecond() - first.getValidAfter().getSeconds()) / (double) life;
        assertTrue(at >= 0.6 && at <= 0.9, "renewal at " + at + " of the lifetime");
        // In the sidecar's sped-up time the leaf was issued at validAfter + 1 min (the CA backdates)
        // and expires SPEEDUP times sooner than its certificate says, in real seconds:
        double issued = first.getValidAfter().getSeconds() + 60;
        double scaledExpiry = issued + (first.getValidBefore().getSeconds() - issued) / SPEEDUP;
        waitFor("a renewed leaf", () -> !beta.sidecar().connect().leaf("web").orElseThrow().getSerialNumber()
                .equals(first.getSerialNumber()));
        double renewed = System.currentTimeMillis() / 1000.0;
        // +1 s: validAfter is truncated to the second, so the issue time may be up to 1 s later.
        assertTrue(renewed < scaledExpiry + 1, "renewed " + (renewed - scaledExpiry) + " s (real) after the"
                + " sped-up expiry");
        SignResponse second = beta.sidecar().connect().leaf("web").orElseThrow();
        assertTrue(second.getValidBefore().getSeconds() > first.getValidBefore().getSeconds() - 1);
        Path cert = beta.sidecar().connect().certFilesDir("web").orElseThrow().resolve("cert.pem");
        waitFor("cert.pem to carry a renewed leaf", () -> {
            try {
                X509Certificate onDisk = Pem.parseCertificates(Files.readString(cert), "cert.pem").get(0);
                return !onDisk.getSerialNumber().equals(Pem.parseCertificates(first.getCertPem(), "first").get(0)
                        .getSerialNumber());
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(EchoClient.works(upstreamPort, 3000), "traffic flows with the renewed leaf");
    }

    @Test
    @Order(6)
    void upstreamsBalanceAcrossInstancesAndRetryAnotherWhenOneFails() throws Exception {
        // Two more "db" instances in the catalog, both broken: one refuses TCP connections, one
        // accepts and hangs up at once (its handshake fails). Both pass health (they have no checks).
        int[] ports = ServerProcesses.freePorts(1);
        try (java.net.ServerSocket hangUp = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            AtomicLong hungUp = new AtomicLong();
            Thread.ofVirtual().start(() -> {
                while (!hangUp.isClosed()) {
                    try (java.net.Socket s = hangUp.accept()) {
                        hungUp.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            var catalog = CatalogGrpc.newBlockingStub(alphaApi);
            int[] brokenPorts = {ports[0], hangUp.getLocalPort()};
            for (int i = 0; i < 2; i++) {
                catalog.register(CatalogRegisterRequest.newBuilder().setNode(Node.newBuilder().setName("ghost-" + i)
                        .setAddress("127.0.0.1")).setService(Service.newBuilder().setName("db").setId("db-ghost")
                        .setPort(1).setConnect(ServiceConnect.newBuilder().setSidecarService(SidecarService.newBuilder()
                                .setPort(brokenPorts[i])))).build());
            }
            long attempts = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (hungUp.get() < 3 && System.nanoTime() < deadline) {
                assertTrue(EchoClient.works(upstreamPort, 5000), "connection " + attempts + " failed");
                attempts++;
            }
            assertTrue(hungUp.get() >= 3, "round-robin never reached the broken instances (" + attempts + " tries)");
            for (int i = 0; i < 20; i++) {
                assertTrue(EchoClient.works(upstreamPort, 5000), "connection " + i + " failed with broken instances");
            }
        }
    }
}
