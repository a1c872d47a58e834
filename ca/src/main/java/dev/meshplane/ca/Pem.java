package dev.meshplane.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM text for certificates, CSRs and private keys: what the servers replicate, the HTTP API
 * returns and the sidecar writes to disk. Keys are written as PKCS#8 ("PRIVATE KEY"); SEC1
 * ("EC PRIVATE KEY", what openssl ecparam writes) is also read, for operator-provided roots.
 */
public final class Pem {
    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {}

    public static String certificate(X509Certificate cert) {
        try {
            return block("CERTIFICATE", cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** The certificates one after another, as a chain or a trust bundle is written. */
    public static String certificates(List<X509Certificate> certs) {
        StringBuilder b = new StringBuilder();
        certs.forEach(c -> b.append(certificate(c)));
        return b.toString();
    }

    /** PKCS#8, unencrypted: the caller decides where it may be stored. */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("private key format is " + key.getFormat() + ", not PKCS#8");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /**
     * Every CERTIFICATE block of {@code pem}, in order. {@code what} names the input in errors
     * ("root certificate", "trust bundle"). At least one is required; other block types are refused.
     */
    public static List<X509Certificate> parseCertificates(String pem, String what) {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK has no X.509 certificate factory", e);
        }
        for (PemObject block : blocks(pem, what)) {
            if (!block.getType().equals("CERTIFICATE")) {
                throw CaException.invalid(what + ": expected CERTIFICATE blocks, found " + Quote.of(block.getType()));
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.getContent())));
            } catch (CertificateException e) {
                throw CaException.invalid(what + ": certificate " + (certs.size() + 1) + " is not valid X.509 DER: "
                        + e.getMessage(), e);
            }
        }
        return certs;
    }

    /** The single certificate of {@code pem}; more than one is an error. */
    public static X509Certificate parseCertificate(String pem, String what) {
        List<X509Certificate> certs = parseCertificates(pem, what);
        if (certs.size() != 1) {
            throw CaException.invalid(what + ": expected exactly one certificate, found " + certs.size());
        }
        return certs.get(0);
    }

    /** An unencrypted EC private key from a PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY" block. */
    public static PrivateKey parsePrivateKey(String pem, String what) {
        List<PemObject> blocks = blocks(pem, what);
        if (blocks.size() != 1) {
            throw CaException.invalid(what + ": expected exactly one PEM block, found " + blocks.size());
        }
        PemObject block = blocks.get(0);
        byte[] pkcs8 = switch (block.getType()) {
            case "PRIVATE KEY" -> block.getContent();
            case "EC PRIVATE KEY" -> sec1ToPkcs8(block.getContent(), what);
            case "ENCRYPTED PRIVATE KEY" -> throw CaException.invalid(what
                    + ": the key is encrypted; provide it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
            default -> throw CaException.invalid(what + ": expected a PRIVATE KEY or EC PRIVATE KEY block, found "
                    + Quote.of(block.getType()));
        };
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw CaException.invalid(what + ": not an EC private key in PKCS#8: " + e.getMessage(), e);
        }
    }

    /** The DER of the single block of {@code pem}, whose type must be one of {@code types}. */
    static byte[] parseSingle(String pem, String what, String... types) {
        List<PemObject> blocks = blocks(pem, what);
        if (blocks.size() != 1) {
            throw CaException.invalid(what + ": expected exactly one PEM block, found " + blocks.size());
        }
        if (!List.of(types).contains(blocks.get(0).getType())) {
            throw CaException.invalid(what + ": expected a " + String.join(" or ", types) + " block, found "
                    + Quote.of(blocks.get(0).getType()));
        }
        return blocks.get(0).getContent();
    }

    private static List<PemObject> blocks(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw CaException.invalid(what + " is empty");
        }
        List<PemObject> blocks = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            throw CaException.invalid(what + " is not well-formed PEM: " + e.getMessage(), e);
        }
        if (blocks.isEmpty()) {
            throw CaException.invalid(what + " has no PEM block (-----BEGIN ...-----)");
        }
        return blocks;
    }

    private static byte[] sec1ToPkcs8(byte[] sec1, String what) {
        try {
            ECPrivateKey key = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(sec1));
            if (key.getParametersObject() == null) {
                throw CaException.invalid(what + ": the EC PRIVATE KEY does not name its curve");
            }
            AlgorithmIdentifier algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                    key.getParametersObject());
            return new PrivateKeyInfo(algorithm, key).getEncoded();
        } catch (IOException | IllegalArgumentException e) {
            throw CaException.invalid(what + ": not a valid SEC1 EC PRIVATE KEY: " + e.getMessage(), e);
        }
    }
}
