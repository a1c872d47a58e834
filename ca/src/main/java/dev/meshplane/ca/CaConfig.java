package dev.meshplane.ca;

import java.time.Duration;
import java.time.Period;

/**
 * Settings of the certificate authority, with every default in {@link #DEFAULTS}.
 *
 * @param leafTtl        lifetime of a leaf when the request names none; also sets how long a
 *                       rotated-out root stays trusted (twice this)
 * @param clockSkew      how far NotBefore is put in the past, so peers whose clocks run behind
 *                       the signer's accept a fresh certificate at once
 * @param rootValidity   lifetime of a generated root
 * @param maxCsrPemBytes largest CSR accepted, in bytes of PEM; a P-256 CSR is about 500
 */
public record CaConfig(Duration leafTtl, Duration clockSkew, Period rootValidity, int maxCsrPemBytes) {
    /** Shortest leaf lifetime a request may ask for, as in Consul. */
    public static final Duration MIN_LEAF_TTL = Duration.ofHours(1);
    /** Longest leaf lifetime a request may ask for (8,760 h), as in Consul. */
    public static final Duration MAX_LEAF_TTL = Duration.ofDays(365);
    /** The most NotBefore may be backdated; more would make a stolen certificate's window silently longer. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);

    public static final CaConfig DEFAULTS = new CaConfig(
            Duration.ofHours(72),   // Consul's leaf_cert_ttl
            Duration.ofMinutes(1),  // Consul backdates leaves by one minute too
            Period.ofYears(10),     // Consul's generated roots last ten years
            16 * 1024);             // ~30x a real CSR: room for odd encoders, no room for abuse

    public CaConfig {
        if (leafTtl == null || leafTtl.compareTo(MIN_LEAF_TTL) < 0 || leafTtl.compareTo(MAX_LEAF_TTL) > 0) {
            throw new IllegalArgumentException("leafTtl " + Durations.format(leafTtl) + " must be between "
                    + Durations.format(MIN_LEAF_TTL) + " and " + Durations.format(MAX_LEAF_TTL));
        }
        if (clockSkew == null || clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clockSkew " + Durations.format(clockSkew) + " must be between 0s and "
                    + Durations.format(MAX_CLOCK_SKEW));
        }
        if (rootValidity == null || rootValidity.isNegative() || rootValidity.isZero()
                || rootValidity.toTotalMonths() > 50 * 12) {
            throw new IllegalArgumentException("rootValidity " + rootValidity + " must be positive and at most 50 years");
        }
        if (maxCsrPemBytes < 1024 || maxCsrPemBytes > 1024 * 1024) {
            throw new IllegalArgumentException("maxCsrPemBytes " + maxCsrPemBytes + " must be between 1024 and 1048576");
        }
    }

    public CaConfig withLeafTtl(Duration ttl) {
        return new CaConfig(ttl, clockSkew, rootValidity, maxCsrPemBytes);
    }
}
