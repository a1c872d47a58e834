package dev.meshplane.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Assembles and signs one X.509 v3 certificate. Bouncy Castle builds the ASN.1; the JDK's
 * providers do the ECDSA signature and parse the result, so what we hand out is exactly what
 * the JDK's TLS stack will see.
 */
final class CertIssuer {
    private CertIssuer() {}

    record Request(
            X500Name issuer,
            PrivateKey issuerKey,
            BigInteger serial,
            Instant notBefore,
            Instant notAfter,
            X500Name subject,
            SubjectPublicKeyInfo subjectKey,
            List<Extension> extensions) {}

    static X509Certificate issue(Request r) {
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(r.issuer(), r.serial(),
                Date.from(r.notBefore()), Date.from(r.notAfter()), r.subject(), r.subjectKey());
        try {
            for (Extension extension : r.extensions()) {
                builder.addExtension(extension);
            }
            ContentSigner signer = new JcaContentSignerBuilder(EcKeys.SIGNATURE_ALGORITHM).build(r.issuerKey());
            byte[] der = builder.build(signer).getEncoded();
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertIOException | OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("could not build a certificate for " + r.subject(), e);
        } catch (IOException e) {
            throw new IllegalStateException("could not encode a certificate for " + r.subject(), e);
        }
    }
}
