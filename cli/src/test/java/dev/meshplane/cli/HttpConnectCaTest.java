package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.RotateRequest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /v1/connect/ca/roots, /v1/agent/connect/ca/roots, /v1/agent/connect/ca/leaf/:service and
 * /v1/agent/connect/authorize over a real HTTP connection to a real dev agent and its CA.
 */
class HttpConnectCaTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-connect-http");

    private static HttpApi api;

    @BeforeAll
    static void registerMeshService() throws Exception {
        api = new HttpApi(DEV.http());
        HttpResponse<String> reg = api.put("/v1/agent/service/register",
                "{\"Name\": \"pay\", \"Port\": 8443, \"Connect\": {\"Native\": true}}");
        assertEquals(200, reg.statusCode(), reg.body());
        AgentTesting.await("the CA's first root", Duration.ofSeconds(20),
                () -> !HttpApi.json(api.get("/v1/connect/ca/roots")).get("ActiveRootID").asText().isEmpty());
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static void badRequest(HttpResponse<String> r, String mentions) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(mentions), "400 body should mention " + mentions + ": " + r.body());
    }

    @Test
    void rootsAreServedByBothEndpoints() throws Exception {
        HttpResponse<String> r = api.get("/v1/connect/ca/roots");
        JsonNode roots = HttpApi.json(r);
        assertTrue(HttpApi.index(r) > 0);
        assertTrue(roots.get("TrustDomain").asText().endsWith(".consul"), roots.toString());
        JsonNode active = roots.get("Roots").get(0);
        assertTrue(active.get("Active").asBoolean());
        assertEquals(roots.get("ActiveRootID").asText(), active.get("ID").asText());
        X509Certificate cert = certificate(active.get("RootCert").asText());
        assertEquals(cert.getNotAfter().toInstant(), Instant.parse(active.get("NotAfter").asText()));
        assertEquals(roots.get("ActiveRootID"), HttpApi.json(api.get("/v1/agent/connect/ca/roots")).get("ActiveRootID"));

        HttpResponse<String> pem = api.get("/v1/connect/ca/roots?pem=true");
        assertEquals(200, pem.statusCode());
        assertEquals(cert, certificate(pem.body()));
        assertEquals(501, api.get("/v1/connect/ca/configuration").statusCode());
        badRequest(api.get("/v1/agent/connect/ca/roots?wait=soon&index=1"), "Invalid wait time");
    }

    @Test
    void theLeafOfALocalMeshServiceCarriesAKeyMatchingItsCertificate() throws Exception {
        HttpResponse<String> r = api.get("/v1/agent/connect/ca/leaf/pay");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode leaf = HttpApi.json(r);
        assertEquals("pay", leaf.get("Service").asText());
        assertEquals(HttpApi.index(r), leaf.get("ModifyIndex").asLong());
        X509Certificate cert = certificate(leaf.get("CertPEM").asText());
        String uri = leaf.get("ServiceURI").asText();
        assertTrue(uri.startsWith("spiffe://") && uri.endsWith("/ns/default/dc/dc1/svc/pay"), uri);
        assertEquals(List.of(6, uri), List.copyOf(cert.getSubjectAlternativeNames().iterator().next()));
        assertEquals(cert.getNotAfter().toInstant(), Instant.parse(leaf.get("ValidBefore").asText()));

        String keyPem = leaf.get("PrivateKeyPEM").asText();
        byte[] der = Base64.getMimeDecoder().decode(keyPem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update("proof".getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update("proof".getBytes(StandardCharsets.UTF_8));
        assertTrue(verifier.verify(signature), "the private key belongs to the certificate");

        JsonNode service = HttpApi.json(api.get("/v1/agent/service/pay"));
        assertTrue(service.get("Connect").get("Native").asBoolean());

        HttpResponse<String> unknown = api.get("/v1/agent/connect/ca/leaf/nobody");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("nobody"), unknown.body());
        assertEquals(200, api.put("/v1/agent/service/register", "{\"Name\": \"plain\"}").statusCode());
        assertEquals(404, api.get("/v1/agent/connect/ca/leaf/plain").statusCode(), "no Connect block, no leaf");
        badRequest(api.get("/v1/agent/connect/ca/leaf/"), "Missing service name");
        badRequest(api.put("/v1/agent/service/register", "{\"Name\": \"x\", \"Connect\": {\"SidecarService\": "
                + "{\"Port\": \"twenty\"}}}"), "Connect.SidecarService.Port");
    }

    @Test
    void blockingRootsAndLeafWakeOnARotation() throws Exception {
        HttpResponse<String> rootsNow = api.get("/v1/agent/connect/ca/roots");
        long rootsIndex = HttpApi.index(rootsNow);
        HttpResponse<String> leafNow = api.get("/v1/agent/connect/ca/leaf/pay");
        long leafIndex = HttpApi.index(leafNow);
        String serial = HttpApi.json(leafNow).get("SerialNumber").asText();

        HttpResponse<String> unchanged = api.get("/v1/agent/connect/ca/leaf/pay?index=" + leafIndex + "&wait=300ms");
        assertEquals(200, unchanged.statusCode());
        assertEquals(serial, HttpApi.json(unchanged).get("SerialNumber").asText(), "the wait ends with the same leaf");

        CompletableFuture<HttpResponse<String>> roots = park("/v1/agent/connect/ca/roots?index=" + rootsIndex + "&wait=1m");
        CompletableFuture<HttpResponse<String>> leaf = park("/v1/agent/connect/ca/leaf/pay?index=" + leafIndex + "&wait=1m");
        Thread.sleep(300);
        assertTrue(!roots.isDone() && !leaf.isDone(), "both stay parked until something changes");

        String newRoot = ConnectCAGrpc.newBlockingStub(DEV.channel()).rotate(RotateRequest.getDefaultInstance())
                .getActiveRootId();
        HttpResponse<String> rotated = roots.get(30, TimeUnit.SECONDS);
        assertEquals(newRoot, HttpApi.json(rotated).get("ActiveRootID").asText());
        assertTrue(HttpApi.index(rotated) > rootsIndex);
        HttpResponse<String> renewed = leaf.get(30, TimeUnit.SECONDS);
        assertEquals(200, renewed.statusCode(), renewed.body());
        assertNotEquals(serial, HttpApi.json(renewed).get("SerialNumber").asText(), "a new leaf after the rotation");
        assertNotEquals(leafIndex, HttpApi.index(renewed));
    }

    private static CompletableFuture<HttpResponse<String>> park(String path) {
        return api.client().sendAsync(HttpRequest.newBuilder(URI.create(DEV.http() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode authorize(String body) {
        HttpResponse<String> r = api.method("POST", "/v1/agent/connect/authorize", body);
        assertEquals(200, r.statusCode(), r.body());
        return HttpApi.json(r);
    }

    @Test
    void authorizeFollowsTheIntentions() throws Exception {
        String trustDomain = HttpApi.json(api.get("/v1/connect/ca/roots")).get("TrustDomain").asText();
        String body = "{\"Target\": \"pay\", \"ClientCertURI\": \"spiffe://" + trustDomain
                + "/ns/default/dc/dc1/svc/web\", \"ClientCertSerial\": \"01\"}";
        AgentTesting.await("allowed by the default policy once the intention cache is loaded", Duration.ofSeconds(10),
                () -> authorize(body).get("Authorized").asBoolean());
        assertEquals("true", api.put("/v1/connect/intentions/exact?source=web&destination=pay",
                "{\"Action\": \"deny\"}").body());
        AgentTesting.await("denied by web => pay", Duration.ofSeconds(10),
                () -> !authorize(body).get("Authorized").asBoolean());
        assertTrue(authorize(body).get("Reason").asText().contains("web => pay"));
        String other = body.replace("/svc/web", "/svc/billing");
        assertTrue(authorize(other).get("Authorized").asBoolean(), "only web is denied");
        assertEquals("true", api.delete("/v1/connect/intentions/exact?source=web&destination=pay").body());

        badRequest(api.method("POST", "/v1/agent/connect/authorize", "{\"ClientCertURI\": \"spiffe://x.consul/ns/"
                + "default/dc/dc1/svc/web\"}"), "Target service must be specified");
        badRequest(api.method("POST", "/v1/agent/connect/authorize", "{\"Target\": \"pay\", \"ClientCertURI\": "
                + "\"https://example.com/web\"}"), "ClientCertURI not a valid Connect identifier");
        badRequest(api.method("POST", "/v1/agent/connect/authorize", "{\"Target\": \"pay\"}"), "ClientCertURI");
        badRequest(api.method("POST", "/v1/agent/connect/authorize", "{\"Target\": 5}"), "Target");
        assertEquals(405, api.get("/v1/agent/connect/authorize").statusCode());
    }
}
