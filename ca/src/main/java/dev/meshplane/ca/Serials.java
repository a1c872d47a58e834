package dev.meshplane.ca;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Random certificate serial numbers: unpredictable, so no two certificates collide. */
final class Serials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Serials() {}

    /** 128 random bits for a leaf (more than the 64 the CA/Browser Forum asks for). */
    static BigInteger leaf() {
        BigInteger serial;
        do {
            byte[] bytes = new byte[16];
            RANDOM.nextBytes(bytes);
            serial = new BigInteger(1, bytes);
        } while (serial.signum() == 0);
        return serial;
    }

    /**
     * 63 random bits for a CA certificate: fits the unsigned 64-bit SerialNumber field of
     * Consul's roots JSON, so Consul client libraries can decode it.
     */
    static BigInteger caCertificate() {
        long serial;
        do {
            serial = RANDOM.nextLong() & Long.MAX_VALUE;
        } while (serial == 0);
        return BigInteger.valueOf(serial);
    }
}
