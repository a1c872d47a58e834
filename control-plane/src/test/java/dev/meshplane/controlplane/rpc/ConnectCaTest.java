package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.ca.CsrRateLimiter;
import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.Pem;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.controlplane.connect.RetryHint;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.CaRoot;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.QueryOptions;
import dev.meshplane.proto.v1.RotateRequest;
import dev.meshplane.proto.v1.RotateResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ConnectCA service of a server: the cluster's root, signing, refusals, rate limit, rotation, pruning. */
class ConnectCaTest {
    private static ServerConfig config(ConnectConfig connect) {
        return new ServerConfig("127.0.0.1:8300", ApiLimits.DEFAULTS, WatchConfig.DEFAULTS, Duration.ofSeconds(1),
                Duration.ofMinutes(15), connect);
    }

    /** Waits (with a blocking query) until the leader has created the CA. */
    static CaRootsResponse roots(ConnectCAGrpc.ConnectCABlockingStub ca) {
        CaRootsResponse r = ca.roots(CaRootsRequest.getDefaultInstance());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (r.getActiveRootId().isEmpty() && System.nanoTime() < deadline) {
            r = ca.withDeadlineAfter(20, TimeUnit.SECONDS).roots(CaRootsRequest.newBuilder().setOptions(QueryOptions
                    .newBuilder().setIndex(r.getMeta().getIndex())
                    .setWait(com.google.protobuf.Duration.newBuilder().setSeconds(10))).build());
        }
        assertFalse(r.getActiveRootId().isEmpty(), "the leader created no CA");
        return r;
    }

    static void register(InProcessServer server, String node, String service) {
        CatalogGrpc.newBlockingStub(server.channel).register(CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(node).setAddress("10.0.0.1"))
                .setService(Service.newBuilder().setName(service).setId(service + "-1").setPort(8080)).build());
    }

    static String csr(CaRootsResponse roots, String service) {
        return LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(new TrustDomain(roots.getTrustDomain()), "dc1", service));
    }

    static X509Certificate cert(String pem) {
        return Pem.parseCertificates(pem, "test").get(0);
    }

    static void pkixValidate(List<X509Certificate> chain, X509Certificate anchor) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain),
                params);
    }

    @Test
    void theFirstLeaderCreatesAP256RootAndPublishesOnlyItsCertificate() throws Exception {
        try (InProcessServer server = new InProcessServer(config(ConnectConfig.defaults("dc1")))) {
            CaRootsResponse r = roots(ConnectCAGrpc.newBlockingStub(server.channel));
            assertTrue(r.getTrustDomain().matches("[0-9a-f-]{36}\\.consul"), r.getTrustDomain());
            assertEquals(1, r.getRootsCount());
            CaRoot root = r.getRoots(0);
            assertTrue(root.getActive());
            assertEquals(r.getActiveRootId(), root.getId());
            X509Certificate c = cert(root.getRootCert());
            assertTrue(c.getBasicConstraints() >= 0, "the root is a CA");
            assertEquals("secp256r1", ((ECPublicKey) c.getPublicKey()).getParams().toString().split(" ")[0]);
            long years = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays() / 365;
            assertEquals(10, years);
            assertFalse(r.toString().contains("PRIVATE KEY"), "no key in the public answer");
            // The key is in the replicated state, which no RPC returns.
            assertTrue(server.controlPlane.connectQueries().caState().value().orElseThrow()
                    .getActivePrivateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        }
    }

    @Test
    void aLeafForAServiceOnTheNodeFollowsEverySvidRuleAndValidates() throws Exception {
        try (InProcessServer server = new InProcessServer(config(ConnectConfig.defaults("dc1")))) {
            ConnectCAGrpc.ConnectCABlockingStub ca = ConnectCAGrpc.newBlockingStub(server.channel);
            CaRootsResponse roots = roots(ca);
            register(server, "node-1", "web");
            Instant before = Instant.now();
            SignResponse leaf = ca.sign(SignRequest.newBuilder().setCsr(csr(roots, "web")).setNode("node-1").build());
            String uri = "spiffe://" + roots.getTrustDomain() + "/ns/default/dc/dc1/svc/web";
            assertEquals(uri, leaf.getServiceUri());
            assertEquals("web", leaf.getService());
            assertEquals(roots.getActiveRootId(), leaf.getRootId());
            List<X509Certificate> chain = Pem.parseCertificates(leaf.getCertPem(), "leaf");
            X509Certificate c = chain.get(0);
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            assertEquals(1, sans.size(), "exactly one SAN");
            assertEquals(List.of(6, uri), List.copyOf(sans.iterator().next()), "a URI SAN with the SPIFFE ID");
            assertEquals(-1, c.getBasicConstraints(), "cA=false");
            boolean[] usage = c.getKeyUsage();
            assertTrue(usage[0], "digitalSignature");
            for (int i = 1; i < usage.length; i++) {
                assertFalse(usage[i], "key usage bit " + i + " must not be set");
            }
            assertTrue(c.getCriticalExtensionOIDs().contains("2.5.29.15"), "key usage is critical");
            assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage());
            Duration ttl = Duration.between(before, c.getNotAfter().toInstant());
            assertTrue(ttl.compareTo(Duration.ofHours(71)) > 0 && ttl.compareTo(Duration.ofHours(73)) < 0, ttl.toString());
            pkixValidate(List.of(c), cert(roots.getRoots(0).getRootCert()));

            SignResponse shortLeaf = ca.sign(SignRequest.newBuilder().setCsr(csr(roots, "web")).setNode("node-1")
                    .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());
            assertEquals(3600 + 60, shortLeaf.getValidBefore().getSeconds() - shortLeaf.getValidAfter().getSeconds(),
                    "1 h plus the 1 min backdating");
        }
    }

    @Test
    void aCsrForAServiceNotOnTheNodeIsRefused() throws Exception {
        try (InProcessServer server = new InProcessServer(config(ConnectConfig.defaults("dc1")))) {
            ConnectCAGrpc.ConnectCABlockingStub ca = ConnectCAGrpc.newBlockingStub(server.channel);
            CaRootsResponse roots = roots(ca);
            register(server, "node-1", "web");
            register(server, "node-2", "db");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ca.sign(SignRequest.newBuilder()
                    .setCsr(csr(roots, "db")).setNode("node-1").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            assertEquals("caller may not obtain a certificate for service \"db\": no service of that name is registered"
                    + " on node \"node-1\"", e.getStatus().getDescription());
            e = assertThrows(StatusRuntimeException.class, () -> ca.sign(SignRequest.newBuilder()
                    .setCsr(csr(roots, "web")).setNode("node-1").setTtl(com.google.protobuf.Duration.newBuilder()
                            .setSeconds(60)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("leaf TTL 1m is outside the allowed 1h to 8760h", e.getStatus().getDescription());
            e = assertThrows(StatusRuntimeException.class, () -> ca.sign(SignRequest.newBuilder()
                    .setCsr(csr(roots, "web")).build()));
            assertEquals("node: must not be empty", e.getStatus().getDescription());
        }
    }

    @Test
    void pastTheRateLimitTheLeaderAnswersResourceExhaustedWithARetryHint() throws Exception {
        ConnectConfig limited = ConnectConfig.defaults("dc1").withCsrRate(new CsrRateLimiter.Config(1, 1));
        try (InProcessServer server = new InProcessServer(config(limited))) {
            ConnectCAGrpc.ConnectCABlockingStub ca = ConnectCAGrpc.newBlockingStub(server.channel);
            CaRootsResponse roots = roots(ca);
            register(server, "node-1", "web");
            SignRequest request = SignRequest.newBuilder().setCsr(csr(roots, "web")).setNode("node-1").build();
            ca.sign(request);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ca.sign(request));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().matches(
                    "CSR rate limit of 1\\.0 signings/s reached on the leader; retry after \\d+ ms"),
                    e.getStatus().getDescription());
            long hint = Long.parseLong(e.getTrailers().get(RetryHint.RETRY_AFTER_MS));
            assertTrue(hint > 0 && hint <= 1000, "hint " + hint);
            Thread.sleep(hint + 50);
            assertEquals("web", ca.sign(request).getService(), "after the hinted wait a signing succeeds");
        }
    }

    @Test
    void rotationCrossSignsPublishesBothRootsWakesWatchersAndPrunesAfterTwiceTheTtl() throws Exception {
        try (InProcessServer server = new InProcessServer(config(ConnectConfig.defaults("dc1")))) {
            ConnectCAGrpc.ConnectCABlockingStub ca = ConnectCAGrpc.newBlockingStub(server.channel);
            CaRootsResponse before = roots(ca);
            register(server, "node-1", "web");
            X509Certificate oldRoot = cert(before.getRoots(0).getRootCert());
            CompletableFuture<CaRootsResponse> blocked = CompletableFuture.supplyAsync(() -> ca
                    .withDeadlineAfter(30, TimeUnit.SECONDS).roots(CaRootsRequest.newBuilder().setOptions(
                            QueryOptions.newBuilder().setIndex(before.getMeta().getIndex())).build()));
            Thread.sleep(200);
            assertFalse(blocked.isDone(), "a blocking roots query waits for a change");
            RotateResponse rotated = ca.rotate(RotateRequest.getDefaultInstance());
            assertEquals(before.getActiveRootId(), rotated.getPreviousRootId());
            CaRootsResponse after = blocked.get(10, TimeUnit.SECONDS);
            assertEquals(rotated.getActiveRootId(), after.getActiveRootId());
            assertEquals(2, after.getRootsCount(), "both roots are published");
            assertTrue(after.getRoots(1).hasRotatedOutAt());
            assertFalse(after.getRoots(1).getActive());
            assertEquals(1, after.getRoots(0).getIntermediateCertsCount(), "the cross-signed certificate");

            SignResponse leaf = ca.sign(SignRequest.newBuilder().setCsr(csr(before, "web")).setNode("node-1").build());
            assertEquals(rotated.getActiveRootId(), leaf.getRootId());
            List<X509Certificate> chain = Pem.parseCertificates(leaf.getCertPem(), "leaf");
            assertEquals(2, chain.size(), "leaf and cross-signed root");
            pkixValidate(chain, oldRoot);
            pkixValidate(List.of(chain.get(0)), cert(after.getRoots(0).getRootCert()));
            assertThrows(Exception.class, () -> pkixValidate(List.of(chain.get(0)), oldRoot),
                    "without the cross-signed certificate the old root alone cannot validate");

            Instant rotatedOut = Instant.ofEpochSecond(after.getRoots(1).getRotatedOutAt().getSeconds());
            var authority = server.controlPlane.ca();
            assertFalse(authority.prune(rotatedOut.plus(Duration.ofHours(143))).get(10, TimeUnit.SECONDS),
                    "kept before 2 x 72 h");
            assertTrue(authority.prune(rotatedOut.plus(Duration.ofHours(144)).plusSeconds(1)).get(10, TimeUnit.SECONDS));
            CaRootsResponse pruned = ca.roots(CaRootsRequest.getDefaultInstance());
            assertEquals(1, pruned.getRootsCount());
            assertEquals(rotated.getActiveRootId(), pruned.getRoots(0).getId());
            assertNotEquals(before.getActiveRootId(), pruned.getActiveRootId());
        }
    }
}
