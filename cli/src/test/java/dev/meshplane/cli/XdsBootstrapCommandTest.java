package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.internal.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `meshctl xds bootstrap`: the JSON grpc-java reads, and clear errors for bad flags. */
class XdsBootstrapCommandTest {
    record Result(int code, String out, String err) {}

    static Result meshctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @SuppressWarnings("unchecked")
    void printsABootstrapPointingAtTheSidecarWithCertificateProvider() throws Exception {
        Result r = meshctl("xds", "bootstrap", "-service", "web", "-address", "127.0.0.1:9502", "-cert-dir",
                "/var/lib/mesh/certs", "-node-id", "web-1");
        assertEquals(0, r.code(), r.err());
        Map<String, ?> json = (Map<String, ?>) JsonParser.parse(r.out());
        Map<String, ?> server = ((List<Map<String, ?>>) json.get("xds_servers")).get(0);
        assertEquals("127.0.0.1:9502", server.get("server_uri"));
        assertEquals(List.of(Map.of("type", "insecure")), server.get("channel_creds"));
        assertEquals(List.of("trusted_xds_server"), server.get("server_features"));
        Map<String, ?> node = (Map<String, ?>) json.get("node");
        assertEquals("web-1", node.get("id"));
        assertEquals("web", node.get("cluster"));
        Map<String, ?> provider = (Map<String, ?>) ((Map<String, ?>) json.get("certificate_providers")).get("mesh");
        assertEquals("file_watcher", provider.get("plugin_name"));
        Map<String, ?> config = (Map<String, ?>) provider.get("config");
        assertEquals(Path.of("/var/lib/mesh/certs/web/cert.pem").toString(), config.get("certificate_file"));
        assertEquals(Path.of("/var/lib/mesh/certs/web/key.pem").toString(), config.get("private_key_file"));
        assertEquals(Path.of("/var/lib/mesh/certs/web/roots.pem").toString(), config.get("ca_certificate_file"));
        assertEquals("grpc/server?xds.resource.listening_address=%s",
                json.get("server_listener_resource_name_template"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutCertDirThereIsNoProviderAndTheNodeIdIsGenerated() throws Exception {
        Result r = meshctl("xds", "bootstrap", "-service", "web");
        assertEquals(0, r.code(), r.err());
        Map<String, ?> json = (Map<String, ?>) JsonParser.parse(r.out());
        assertFalse(json.containsKey("certificate_providers"));
        assertTrue(((String) ((Map<String, ?>) json.get("node")).get("id")).matches("web-[0-9a-f]{8}"));
    }

    @Test
    void badFlagsAreNamed() {
        Result bad = meshctl("xds", "bootstrap", "-service", "no spaces");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("-service"), bad.err());
        Result address = meshctl("xds", "bootstrap", "-service", "web", "-address", "nowhere");
        assertEquals(1, address.code());
        assertTrue(address.err().contains("-address: \"nowhere\" is not HOST:PORT"), address.err());
        Result missing = meshctl("xds", "bootstrap");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("-service"), missing.err());
    }
}
