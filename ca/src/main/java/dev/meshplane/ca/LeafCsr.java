package dev.meshplane.ca;

import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The sidecar's half of issuance: a PKCS#10 request, signed with the service's own key, asking
 * for a certificate naming exactly one SPIFFE ID. Only the public key travels; the private key
 * stays with the caller.
 */
public final class LeafCsr {
    static final String PEM_TYPE = "CERTIFICATE REQUEST";

    private LeafCsr() {}

    /** A CSR in PEM for {@code id}, with an empty subject and {@code id} as its only (URI) SAN. */
    public static String create(KeyPair keys, SpiffeId id) {
        String problem = EcKeys.notP256(keys.getPublic());
        if (problem != null) {
            throw CaException.invalid("leaf key: " + problem);
        }
        return Pem.block(PEM_TYPE, build(keys, new X500Name(new RDN[0]), CertProfiles.uriName(id.uri())));
    }

    /** The DER of a CSR with any subject and SANs (null for none); the tests build bad requests with it. */
    static byte[] build(KeyPair keys, X500Name subject, GeneralNames sans) {
        try {
            JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(subject,
                    keys.getPublic());
            if (sans != null) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, true, sans);
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            PKCS10CertificationRequest csr = builder.build(
                    new JcaContentSignerBuilder(EcKeys.SIGNATURE_ALGORITHM).build(keys.getPrivate()));
            return csr.getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("could not build a CSR", e);
        }
    }
}
