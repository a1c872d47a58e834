package dev.meshplane.ca;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Key identifiers and fingerprints, and the colon-separated hex Consul shows them in. */
final class KeyIds {
    private KeyIds() {}

    /**
     * Subject key identifier by RFC 7093 section 2 method 1: the leftmost 160 bits of the
     * SHA-256 of the subjectPublicKey bits. SHA-256 rather than RFC 5280's SHA-1 so no SHA-1 is
     * needed anywhere; 160 bits keep the identifier the size tools expect.
     */
    static byte[] subjectKeyId(PublicKey key) {
        return subjectKeyId(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    }

    static byte[] subjectKeyId(SubjectPublicKeyInfo key) {
        return Arrays.copyOf(sha256(key.getPublicKeyData().getBytes()), 20);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** {@code 0a:1b:...}: lower-case hex bytes joined by colons. */
    static String colonHex(byte[] bytes) {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    /** The serial number's unsigned big-endian bytes in colon hex, as Consul shows serials. */
    static String colonHex(BigInteger serial) {
        byte[] bytes = serial.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return colonHex(bytes);
    }
}
