package dev.meshplane.sidecar.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.meshplane.api.ApiException;
import dev.meshplane.ca.Pem;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HeaderValues;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.HttpCheck;
import dev.meshplane.proto.v1.TlsOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP(S) checks against the JDK's HTTP server on loopback. */
class HttpProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    @TempDir
    static Path dir;
    static HttpServer http;
    static HttpsServer https;
    static TestCerts certs;
    static volatile String lastRequest = "";

    private final HttpClients clients = new HttpClients();

    @BeforeAll
    static void startServers() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/ok", ex -> reply(ex, 200, "all good"));
        http.createContext("/busy", ex -> reply(ex, 429, "slow down"));
        http.createContext("/down", ex -> reply(ex, 503, "maintenance"));
        http.createContext("/big", ex -> reply(ex, 200, "x".repeat(100_000)));
        http.createContext("/echo", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            lastRequest = ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("X-Probe") + " "
                    + ex.getRequestHeaders().getFirst("User-Agent") + " " + body;
            reply(ex, 200, "echoed");
        });
        http.createContext("/hang", ex -> {
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        http.start();

        certs = TestCerts.create(dir, "http-ca");
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
        https.createContext("/ok", ex -> reply(ex, 200, "secure"));
        https.start();
    }

    private static SSLContext serverContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        X509Certificate cert = Pem.parseCertificate(Files.readString(certs.serverCert), "server cert");
        ks.setKeyEntry("server", Pem.parsePrivateKey(Files.readString(certs.serverKey), "server key"),
                "pw".toCharArray(), new X509Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterAll
    static void stopServers() {
        NEVER.countDown();
        http.stop(0);
        https.stop(0);
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    private CheckResult check(HttpCheck.Builder spec, Duration timeout) throws Exception {
        CheckDefinition def = CheckDefinitions.normalize("check", CheckDefinition.newBuilder().setId("h")
                .setInterval(dev.meshplane.api.Durations.toProto(Duration.ofSeconds(10))).setHttp(spec).build(),
                ChecksConfig.DEFAULTS);
        HttpProbe p = new HttpProbe("check.http", def.getHttp(), clients);
        try {
            return p.run(timeout);
        } finally {
            p.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void twoHundredIsPassingWithTheBodyInTheOutput() throws Exception {
        CheckResult r = check(HttpCheck.newBuilder().setUrl(url("/ok")), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status());
        assertEquals("HTTP GET " + url("/ok") + ": 200 Output: all good", r.output());
    }

    @Test
    void fourTwentyNineIsWarningAndOtherCodesCritical() throws Exception {
        assertEquals(HealthStatus.HEALTH_STATUS_WARNING, check(HttpCheck.newBuilder().setUrl(url("/busy")), TIMEOUT).status());
        CheckResult down = check(HttpCheck.newBuilder().setUrl(url("/down")), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, down.status());
        assertTrue(down.output().contains(": 503 Output: maintenance"), down.output());
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, check(HttpCheck.newBuilder().setUrl(url("/missing")), TIMEOUT).status());
    }

    @Test
    void methodHeadersAndBodyAreSent() throws Exception {
        check(HttpCheck.newBuilder().setUrl(url("/echo")).setMethod("post").setBody("ping")
                .putHeaders("X-Probe", HeaderValues.newBuilder().addValues("yes").build()), TIMEOUT);
        assertEquals("POST yes Meshplane Health Check ping", lastRequest);
    }

    @Test
    void theOutputIsBounded() throws Exception {
        CheckResult r = check(HttpCheck.newBuilder().setUrl(url("/big")), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, r.status());
        assertEquals(4096, r.output().length());
        assertTrue(r.output().endsWith("(truncated)"));
    }

    @Test
    void aHangingServerIsCriticalAtTheTimeout() throws Exception {
        CheckResult r = check(HttpCheck.newBuilder().setUrl(url("/hang")), Duration.ofMillis(500));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status());
        assertTrue(r.output().endsWith("no response within 500ms"), r.output());
    }

    @Test
    void aClosedPortIsCritical() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        CheckResult r = check(HttpCheck.newBuilder().setUrl("http://127.0.0.1:" + closed + "/"), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, r.status(), r.output());
    }

    @Test
    void httpsVerifiesAgainstTheCheckCaAndServerName() throws Exception {
        String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/ok";
        TlsOptions.Builder tls = TlsOptions.newBuilder().setCaFile(certs.caFile.toString());
        CheckResult ok = check(HttpCheck.newBuilder().setUrl(url).setTls(tls), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, ok.status(), ok.output());
        CheckResult wrongName = check(HttpCheck.newBuilder().setUrl(url).setTls(tls.clone().setServerName("db.internal")),
                TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, wrongName.status());
        assertTrue(wrongName.output().contains("not \"db.internal\""), wrongName.output());
        CheckResult untrusted = check(HttpCheck.newBuilder().setUrl(url), TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, untrusted.status(), "the JDK's roots do not know the test CA");
        CheckResult skipped = check(HttpCheck.newBuilder().setUrl(url).setTls(TlsOptions.newBuilder().setSkipVerify(true)),
                TIMEOUT);
        assertEquals(HealthStatus.HEALTH_STATUS_PASSING, skipped.status(), skipped.output());
    }

    @Test
    void headersTheClientCannotSendAreRefusedAtRegistration() {
        ApiException e = assertThrows(ApiException.class, () -> check(HttpCheck.newBuilder().setUrl(url("/ok"))
                .putHeaders("Host", HeaderValues.newBuilder().addValues("x").build()), TIMEOUT));
        assertTrue(e.getMessage().startsWith("http.headers[Host]"), e.getMessage());
    }
}
