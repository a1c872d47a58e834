package dev.meshplane.ca;

import java.io.IOException;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * The extensions of the two kinds of certificate the CA makes, following the SPIFFE X.509-SVID
 * profile. A CA certificate (root or cross-signed root): cA=true, keyCertSign+cRLSign, the
 * trust domain's URI. A leaf: cA=false, digitalSignature only, serverAuth+clientAuth, exactly
 * one URI SAN.
 *
 * <p>Leaf key usage is digitalSignature alone: with EC keys every TLS 1.2 (ECDHE_ECDSA) and TLS
 * 1.3 handshake only signs. keyEncipherment is for RSA key transport and keyAgreement for
 * static ECDH suites, neither of which Meshplane uses, so they would only widen what a stolen
 * leaf could be used for.
 */
final class CertProfiles {
    private CertProfiles() {}

    static List<Extension> certificateAuthority(byte[] subjectKeyId, byte[] authorityKeyId, TrustDomain trustDomain) {
        return List.of(
                extension(Extension.basicConstraints, true, new BasicConstraints(true)),
                extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                extension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId)),
                extension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId)),
                // Non-critical: the subject DN is not empty, so the SAN is informational (RFC 5280 4.2.1.6).
                extension(Extension.subjectAlternativeName, false, uriName(trustDomain.uri())));
    }

    static List<Extension> leaf(byte[] subjectKeyId, byte[] authorityKeyId, SpiffeId id) {
        return List.of(
                extension(Extension.basicConstraints, true, new BasicConstraints(false)),
                extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature)),
                extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})),
                extension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId)),
                extension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId)),
                // Critical because a leaf's subject DN is empty: the SPIFFE ID is its only name (RFC 5280 4.2.1.6).
                extension(Extension.subjectAlternativeName, true, uriName(id.uri())));
    }

    static GeneralNames uriName(String uri) {
        return new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }

    private static Extension extension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
            ASN1Encodable value) {
        try {
            return new Extension(oid, critical, new DEROctetString(value.toASN1Primitive().getEncoded("DER")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot DER-encode extension " + oid, e);
        }
    }
}
