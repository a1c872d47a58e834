package dev.meshplane.ca;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What a root must be before the CA signs with it. A root from the replicated log should
 * always pass; one an operator pastes in is where these messages matter.
 */
final class RootCheck {
    /** keyCertSign's position in the JDK's KeyUsage array (RFC 5280 4.2.1.3). */
    private static final int KEY_CERT_SIGN = 5;

    private RootCheck() {}

    static void check(TrustDomain trustDomain, X509Certificate cert, PrivateKey key, Instant now) {
        String name = "root certificate " + cert.getSubjectX500Principal();
        String keyProblem = EcKeys.notP256(cert.getPublicKey());
        if (keyProblem != null) {
            throw CaException.invalid(name + ": " + keyProblem);
        }
        if (!cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
            throw CaException.invalid(name + " is not self-signed: its issuer is " + cert.getIssuerX500Principal());
        }
        try {
            cert.verify(cert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw CaException.invalid(name + ": its self-signature does not verify (" + e.getMessage() + ")", e);
        }
        if (cert.getBasicConstraints() < 0) {
            throw CaException.invalid(name + " is not a CA certificate: basicConstraints cA is not true");
        }
        boolean[] usage = cert.getKeyUsage();
        if (usage != null && !usage[KEY_CERT_SIGN]) {
            throw CaException.invalid(name + ": its key usage does not include keyCertSign");
        }
        List<String> uris = CertFacts.uriSans(cert);
        // A root without a URI SAN is accepted (an operator's PKI may not know SPIFFE); one with
        // a URI must name this trust domain, so a root of another mesh is not taken by mistake.
        if (!uris.isEmpty() && !uris.equals(List.of(trustDomain.uri()))) {
            throw CaException.invalid(name + ": its URI SANs " + uris + " must be exactly [" + trustDomain.uri() + "]");
        }
        Instant notBefore = CertFacts.notBefore(cert);
        Instant notAfter = CertFacts.notAfter(cert);
        if (now.isBefore(notBefore)) {
            throw CaException.invalid(name + " is not valid until " + notBefore + " (now " + now + ")");
        }
        if (!now.isBefore(notAfter)) {
            throw CaException.invalid(name + " expired at " + notAfter + " (now " + now + ")");
        }
        if (!EcKeys.matches(key, cert.getPublicKey())) {
            throw CaException.invalid(name + ": the private key does not belong to this certificate");
        }
    }
}
