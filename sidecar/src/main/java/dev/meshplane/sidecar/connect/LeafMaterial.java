package dev.meshplane.sidecar.connect;

import dev.meshplane.ca.Pem;
import dev.meshplane.proto.v1.SignResponse;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A leaf as this node holds it: the servers' answer (certificate chain, validity, the root that
 * signed it) and the private key generated here, which never left the node.
 */
record LeafMaterial(SignResponse issued, List<X509Certificate> chain, PrivateKey key, String keyPem) {
    static LeafMaterial of(SignResponse issued, PrivateKey key) {
        return new LeafMaterial(issued, Pem.parseCertificates(issued.getCertPem(), "issued leaf"), key,
                Pem.privateKey(key));
    }

    Instant validAfter() {
        return Instant.ofEpochSecond(issued.getValidAfter().getSeconds(), issued.getValidAfter().getNanos());
    }

    Instant validBefore() {
        return Instant.ofEpochSecond(issued.getValidBefore().getSeconds(), issued.getValidBefore().getNanos());
    }
}
