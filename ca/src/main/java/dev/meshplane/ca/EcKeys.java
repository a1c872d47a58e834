package dev.meshplane.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * EC P-256 keys: the only key type Meshplane issues or accepts. One curve keeps every
 * handshake on the fast, constant-time path of the JDK and avoids a key-strength policy.
 */
public final class EcKeys {
    /** The JCA algorithm every signature in the CA uses. */
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final ASN1ObjectIdentifier P256 = SECObjectIdentifiers.secp256r1;

    private EcKeys() {}

    /** A fresh P-256 key pair from the platform's strong source of randomness. */
    public static KeyPair generateP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate EC P-256 keys", e);
        }
    }

    /** Null when {@code key} is an EC P-256 public key, else a description of what it is instead. */
    static String notP256(SubjectPublicKeyInfo key) {
        AlgorithmIdentifier algorithm = key.getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
            return "key algorithm is " + algorithm.getAlgorithm().getId() + ", not EC (1.2.840.10045.2.1)";
        }
        if (!(algorithm.getParameters() instanceof ASN1ObjectIdentifier curve)) {
            return "EC key has explicit curve parameters; only the named curve P-256 is accepted";
        }
        if (!P256.equals(curve)) {
            return "EC key is on curve " + curve.getId() + ", not P-256 (" + P256.getId() + ")";
        }
        return null;
    }

    static String notP256(PublicKey key) {
        return notP256(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    }

    /** True when {@code privateKey} is the other half of {@code publicKey}: proven by a signature. */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] challenge = HexFormat.of().parseHex("6d657368706c616e652d6b65792d6d61746368");
            Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
