package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.ca.CaConfig;
import dev.meshplane.ca.SigningCa;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** meshctl's intention and connect commands: output, exit codes and refusals. */
class MeshCliTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-mesh-cli");

    static CliTest.Result client(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-address";
        all[args.length + 1] = DEV.address();
        return CliTest.meshctl(all);
    }

    static CaRootsResponse roots() throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            CaRootsResponse r = ConnectCAGrpc.newBlockingStub(DEV.channel()).roots(CaRootsRequest.getDefaultInstance());
            if (!r.getActiveRootId().isEmpty() || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void intentionCommandsAndTheirRefusals() {
        assertEquals(new CliTest.Result(0, "Intention written: * => db (deny)\n", ""),
                client("intention", "deny", "*", "db", "-description", "default closed"));
        assertEquals(0, client("intention", "allow", "web", "db").code());
        CliTest.Result check = client("intention", "check", "api", "db");
        assertEquals(new CliTest.Result(1, "Denied\ndenied by intention * => db (deny, precedence 8)\n", ""), check);
        assertEquals(0, client("intention", "check", "web", "db").code());
        CliTest.Result match = client("intention", "match", "-destination", "db");
        assertEquals("web => db (allow)\n* => db (deny)\n", match.out());
        CliTest.Result get = client("intention", "get", "*", "db");
        assertTrue(get.out().lines().anyMatch(l -> l.matches("Description\\s+default closed")), get.out());
        assertTrue(get.out().lines().anyMatch(l -> l.matches("Precedence\\s+8")), get.out());

        assertEquals(new CliTest.Result(1, "", "Error: not found: no intention api => db\n"),
                client("intention", "get", "api", "db"));
        CliTest.Result bad = client("intention", "allow", "we b", "db");
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("Error: invalid argument: intention.source_name: \"we b\" may contain only"),
                bad.err());
        assertEquals(2, client("intention", "match", "db").code(), "-source or -destination is required");
        assertEquals(0, client("intention", "delete", "*", "db").code());
        assertEquals(0, client("intention", "delete", "web", "db").code());
        assertEquals(new CliTest.Result(1, "", "Error: not found: no intention web => db\n"),
                client("intention", "delete", "web", "db"));
    }

    @Test
    void anOperatorRootCanBeSetAndAForeignOneIsRefused(@TempDir Path dir) throws Exception {
        CaRootsResponse before = roots();
        CliTest.Result list = client("connect", "ca", "roots");
        assertTrue(list.out().startsWith("Trust domain: " + before.getTrustDomain() + "\n"), list.out());
        SigningCa foreign = SigningCa.generateRoot(new TrustDomain("other.consul"), Instant.now(), CaConfig.DEFAULTS);
        Files.writeString(dir.resolve("foreign.pem"), foreign.certificatePem());
        Files.writeString(dir.resolve("foreign.key"), foreign.privateKeyPem());
        CliTest.Result refused = client("connect", "ca", "set-root", "-cert", dir.resolve("foreign.pem").toString(),
                "-key", dir.resolve("foreign.key").toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().startsWith("Error: invalid argument: "), refused.err());

        SigningCa mine = SigningCa.generateRoot(new TrustDomain(before.getTrustDomain()), Instant.now(), CaConfig.DEFAULTS);
        Files.writeString(dir.resolve("root.pem"), mine.certificatePem());
        Files.writeString(dir.resolve("root.key"), mine.privateKeyPem());
        CliTest.Result set = client("connect", "ca", "set-root", "-cert", dir.resolve("root.pem").toString(),
                "-key", dir.resolve("root.key").toString());
        assertEquals(new CliTest.Result(0, "Rotated the CA: active root " + mine.id() + "\nPrevious root (still trusted): "
                + before.getActiveRootId() + "\n", ""), set);
        CliTest.Result pem = client("connect", "ca", "roots", "-pem");
        assertTrue(pem.out().startsWith(mine.certificatePem()), "the provided root is first (active)");
        assertEquals(2, pem.out().split("BEGIN CERTIFICATE").length - 1);
    }

    @Test
    void theAgentRefusesAnUnknownDefaultPolicy() {
        CliTest.Result r = CliTest.meshctl("agent", "-dev", "-default-intention-policy", "maybe");
        assertEquals(new CliTest.Result(1, "", "Error: -default-intention-policy: \"maybe\" must be allow or deny\n"), r);
    }
}
