package dev.meshplane.client;

import dev.meshplane.ca.CaConfig;
import dev.meshplane.ca.EcKeys;
import dev.meshplane.ca.IssuedLeaf;
import dev.meshplane.ca.LeafCsr;
import dev.meshplane.ca.LeafSigner;
import dev.meshplane.ca.Pem;
import dev.meshplane.ca.SigningAuthorizer;
import dev.meshplane.ca.SigningCa;
import dev.meshplane.ca.SpiffeId;
import dev.meshplane.ca.TrustDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;

/** A mesh CA in a test: writes a service's cert.pem, key.pem and roots.pem as the sidecar lays them out. */
final class TestCerts {
    final SigningCa root;
    private final LeafSigner signer;

    TestCerts() {
        TrustDomain td = TrustDomain.forCluster(UUID.randomUUID().toString());
        root = SigningCa.generateRoot(td, Instant.now().minus(Duration.ofMinutes(5)), CaConfig.DEFAULTS);
        signer = new LeafSigner(root, "dc1", CaConfig.DEFAULTS, InstantSource.system());
    }

    /** Writes the files for {@code service} under dir/service; roots trusted are this CA's plus {@code extraRoots}. */
    Path write(Path dir, String service, String extraRootsPem) throws IOException {
        KeyPair keys = EcKeys.generateP256();
        IssuedLeaf leaf = signer.sign(LeafCsr.create(keys, SpiffeId.of(root.trustDomain(), "dc1", service)),
                SigningAuthorizer.anyService());
        Path serviceDir = Files.createDirectories(dir.resolve(service));
        // Each file replaced by a rename, as the sidecar does, so a reader never sees half a file.
        replace(serviceDir.resolve("cert.pem"), leaf.certPem());
        replace(serviceDir.resolve("key.pem"), Pem.privateKey(keys.getPrivate()));
        replace(serviceDir.resolve("roots.pem"), root.certificatePem() + extraRootsPem);
        return serviceDir;
    }

    private static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
