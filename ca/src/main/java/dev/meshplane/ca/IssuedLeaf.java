package dev.meshplane.ca;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A signed leaf in the shape of Consul's leaf JSON, minus PrivateKeyPEM: the key never left
 * the caller, who pairs it with this.
 *
 * @param serialNumber the certificate's serial, colon-separated hex as Consul shows it
 * @param certPem      the leaf followed by the signing root's intermediates (a cross-signed
 *                     root during rotation), ready to present in a TLS handshake
 * @param service      the service name from the SPIFFE ID
 * @param serviceUri   the SPIFFE ID, the certificate's only URI SAN
 * @param validAfter   NotBefore (already backdated for clock skew)
 * @param validBefore  NotAfter
 */
public record IssuedLeaf(
        String serialNumber,
        String certPem,
        String service,
        String serviceUri,
        Instant validAfter,
        Instant validBefore) {

    /** The chain parsed: the leaf first. */
    public List<X509Certificate> chain() {
        return Pem.parseCertificates(certPem, "issued leaf chain");
    }

    public X509Certificate certificate() {
        return chain().get(0);
    }
}
