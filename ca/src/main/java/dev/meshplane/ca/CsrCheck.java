package dev.meshplane.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Checks a CSR before anything is signed: size, PEM, PKCS#10 structure, P-256 key, a valid
 * ECDSA-SHA256 proof of possession, and exactly one SAN that is a URI holding a service SPIFFE
 * ID. Whether that ID may be signed is the signer's question, not this one's.
 */
final class CsrCheck {
    /** What a checked CSR asks for: an identity and the public key to bind it to. */
    record Checked(SpiffeId id, SubjectPublicKeyInfo publicKey) {}

    private CsrCheck() {}

    static Checked check(String csrPem, int maxPemBytes) {
        if (csrPem == null || csrPem.isBlank()) {
            throw CaException.invalid("CSR is empty");
        }
        int bytes = csrPem.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxPemBytes) {
            throw CaException.invalid("CSR is " + bytes + " bytes of PEM; the limit is " + maxPemBytes);
        }
        PKCS10CertificationRequest csr = parse(csrPem);
        SubjectPublicKeyInfo key = csr.getSubjectPublicKeyInfo();
        String keyProblem = EcKeys.notP256(key);
        if (keyProblem != null) {
            throw CaException.invalid("CSR public key: " + keyProblem);
        }
        if (!X9ObjectIdentifiers.ecdsa_with_SHA256.equals(csr.getSignatureAlgorithm().getAlgorithm())) {
            throw CaException.invalid("CSR is signed with " + csr.getSignatureAlgorithm().getAlgorithm().getId()
                    + "; only ecdsa-with-SHA256 (1.2.840.10045.4.3.2) is accepted");
        }
        if (!CsrSignature.verifies(csr.toASN1Structure())) {
            throw CaException.invalid("CSR signature does not verify with the CSR's own public key"
                    + " (the request was altered or not signed by the key it carries)");
        }
        List<String> uris = uriSans(csr);
        if (uris.size() != 1) {
            throw CaException.invalid("CSR must carry exactly one URI SAN (the service's SPIFFE ID), found "
                    + uris.size() + (uris.isEmpty() ? "" : ": " + uris));
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(uris.get(0));
        } catch (CaException e) {
            throw CaException.invalid("CSR URI SAN: " + e.getMessage(), e);
        }
        return new Checked(id, key);
    }

    private static PKCS10CertificationRequest parse(String csrPem) {
        // "NEW CERTIFICATE REQUEST" is what some older tools still write.
        byte[] der = Pem.parseSingle(csrPem, "CSR", LeafCsr.PEM_TYPE, "NEW CERTIFICATE REQUEST");
        try {
            return new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw CaException.invalid("CSR is not a valid PKCS#10 request: " + e.getMessage(), e);
        }
    }

    /** The URI SANs requested; any other kind of SAN is refused, since a leaf names exactly one URI. */
    private static List<String> uriSans(PKCS10CertificationRequest csr) {
        Attribute[] requests = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (requests.length > 1) {
            throw CaException.invalid("CSR has " + requests.length + " extensionRequest attributes; at most one is allowed");
        }
        List<String> uris = new ArrayList<>();
        if (requests.length == 0) {
            return uris;
        }
        GeneralNames names;
        try {
            ASN1Encodable[] values = requests[0].getAttrValues().toArray();
            if (values.length != 1) {
                throw CaException.invalid("CSR extensionRequest has " + values.length + " values; exactly one is allowed");
            }
            names = GeneralNames.fromExtensions(Extensions.getInstance(values[0]), Extension.subjectAlternativeName);
        } catch (IllegalArgumentException e) {
            throw CaException.invalid("CSR extensionRequest is malformed: " + e.getMessage(), e);
        }
        if (names == null) {
            return uris;
        }
        for (GeneralName name : names.getNames()) {
            if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
                throw CaException.invalid("CSR asks for a " + sanKind(name.getTagNo()) + " SAN " + name.getName()
                        + "; a leaf carries only its SPIFFE ID as a URI SAN");
            }
            uris.add(name.getName().toString());
        }
        return uris;
    }

    private static String sanKind(int tag) {
        return switch (tag) {
            case GeneralName.otherName -> "otherName";
            case GeneralName.rfc822Name -> "email";
            case GeneralName.dNSName -> "DNS";
            case GeneralName.x400Address -> "x400Address";
            case GeneralName.directoryName -> "directoryName";
            case GeneralName.ediPartyName -> "ediPartyName";
            case GeneralName.iPAddress -> "IP address";
            case GeneralName.registeredID -> "registeredID";
            default -> "tag-" + tag;
        };
    }
}
