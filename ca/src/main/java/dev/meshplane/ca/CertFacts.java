package dev.meshplane.ca;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/** Facts read out of a parsed certificate, in the forms the rest of the CA uses. */
final class CertFacts {
    private CertFacts() {}

    /** The subject exactly as encoded, so an issuer name we copy from it matches byte for byte. */
    static X500Name subject(X509Certificate cert) {
        return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    }

    /** The subject key identifier extension, or our own computation when the certificate has none. */
    static byte[] subjectKeyId(X509Certificate cert) {
        byte[] extension = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension == null) {
            return KeyIds.subjectKeyId(cert.getPublicKey());
        }
        byte[] inner = ASN1OctetString.getInstance(extension).getOctets();
        return SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier();
    }

    /** Every URI subject alternative name, in order. */
    static List<String> uriSans(X509Certificate cert) {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (((Integer) name.get(0)) == GeneralName.uniformResourceIdentifier) {
                        uris.add((String) name.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw CaException.invalid("certificate " + cert.getSubjectX500Principal()
                    + " has an unreadable subjectAltName: " + e.getMessage(), e);
        }
        return uris;
    }

    /** The first common name of the subject, or the whole subject when it has none. */
    static String commonName(X509Certificate cert) {
        X500Name subject = subject(cert);
        RDN[] cns = subject.getRDNs(BCStyle.CN);
        return cns.length == 0 ? subject.toString() : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }

    static Instant notBefore(X509Certificate cert) {
        return cert.getNotBefore().toInstant();
    }

    static Instant notAfter(X509Certificate cert) {
        return cert.getNotAfter().toInstant();
    }

    /** The SHA-256 fingerprint of the DER, in colon hex: what Meshplane uses as a root's ID. */
    static String fingerprint(X509Certificate cert) {
        try {
            return KeyIds.colonHex(KeyIds.sha256(cert.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }
}
