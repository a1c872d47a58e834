package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.GrpcCheck;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.TlsOptions;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grpc.health.v1 over TLS against a real grpc-java server with its own test CA. */
class GrpcTlsProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static TestCerts certs;
    static TestCerts otherCa;
    static Server tlsServer;
    static Server mtlsServer;

    private final GrpcChannels channels = new GrpcChannels();

    @BeforeAll
    static void startServers() throws Exception {
        certs = TestCerts.create(dir, "test-ca");
        otherCa = TestCerts.create(dir, "other-ca");
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        tlsServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(certs.serverCert.toFile(),
                        certs.serverKey.toFile())).build())
                .addService(health.getHealthService()).build().start();
        mtlsServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(certs.serverCert.toFile(),
                        certs.serverKey.toFile())).trustManager(certs.caFile.toFile())
                        .clientAuth(ClientAuth.REQUIRE).build())
                .addService(health.getHealthService()).build().start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        tlsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        mtlsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeChannels() {
        channels.close();
    }

    private static int port(Server s) {
        return ((InetSocketAddress) s.getListenSockets().get(0)).getPort();
    }

    private CheckResult check(String host, Server s, TlsOptions.Builder tls) throws Exception {
        GrpcProbe p = new GrpcProbe("check.grpc", GrpcCheck.newBuilder().setTarget(host + ":" + port(s))
                .setTls(tls).build(), channels);
        try {
            return p.run(TIMEOUT);
        } finally {
            p.close();
        }
    }

    private static TlsOptions.Builder tls() {
        return TlsOptions.newBuilder().setEnabled(true).setCaFile(certs.caFile.toString());
    }

    @Test
    void passesWithTheCaAndTheRightName() throws Exception {
        CheckResult r = check("127.0.0.1", tlsServer, tls());
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status(), r.output());
        assertTrue(r.output().contains("(TLS): SERVING"), r.output());
        r = check("127.0.0.1", tlsServer, tls().setServerName("localhost"));
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status(), "SNI and verification use the given name: " + r.output());
    }

    @Test
    void aMismatchedServerNameFailsNamingTheCause() throws Exception {
        CheckResult r = check("127.0.0.1", tlsServer, tls().setServerName("billing.internal"));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("the server certificate is for [localhost, 127.0.0.1], not \"billing.internal\""),
                r.output());
    }

    @Test
    void skipVerifyAcceptsWhatVerificationRefuses() throws Exception {
        CheckResult r = check("127.0.0.1", tlsServer, TlsOptions.newBuilder().setEnabled(true).setSkipVerify(true)
                .setServerName("billing.internal"));
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status(), r.output());
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        CheckResult r = check("127.0.0.1", tlsServer, TlsOptions.newBuilder().setEnabled(true)
                .setCaFile(otherCa.caFile.toString()));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().contains("PKIX") || r.output().contains("certification path"), r.output());
    }

    @Test
    void plaintextAgainstATlsServerIsCritical() throws Exception {
        CheckResult r = check("127.0.0.1", tlsServer, TlsOptions.newBuilder());
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status(), r.output());
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        CheckResult without = check("localhost", mtlsServer, tls());
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, without.status(), without.output());
        CheckResult with = check("localhost", mtlsServer, tls().setCertFile(certs.clientCert.toString())
                .setKeyFile(certs.clientKey.toString()));
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, with.status(), with.output());
    }

    @Test
    void unreadableTlsFilesFailTheRegistrationNamingTheField() {
        ApiException e = assertThrows(ApiException.class, () -> new GrpcProbe("check.grpc", GrpcCheck.newBuilder()
                .setTarget("127.0.0.1:1").setTls(TlsOptions.newBuilder().setEnabled(true)
                        .setCaFile(dir.resolve("missing.pem").toString())).build(), channels));
        assertTrue(e.getMessage().startsWith("check.grpc.tls.ca_file: cannot read"), e.getMessage());
        e = assertThrows(ApiException.class, () -> new GrpcProbe("check.grpc", GrpcCheck.newBuilder()
                .setTarget("127.0.0.1:1").setTls(TlsOptions.newBuilder().setEnabled(true)
                        .setCertFile(certs.clientCert.toString())).build(), channels));
        assertTrue(e.getMessage().contains("cert_file and key_file must be given together"), e.getMessage());
    }
}
