package dev.meshplane.api;

/**
 * Explicit bounds on what a request may carry. A value over a bound is rejected with
 * INVALID_ARGUMENT naming the field, never truncated.
 *
 * @param maxKvValueBytes largest KV value accepted
 * @param maxKvKeyBytes   longest KV key, in UTF-8 bytes
 */
public record ApiLimits(int maxKvValueBytes, int maxKvKeyBytes) {
    /** Consul's default value limit: 512 KiB. */
    public static final int DEFAULT_MAX_KV_VALUE_BYTES = 512 * 1024;
    /** Long enough for deep hierarchies, short enough to index cheaply. */
    public static final int DEFAULT_MAX_KV_KEY_BYTES = 512;

    /** Names of services and nodes: DNS-friendly, and short enough for one DNS label pair. */
    public static final int MAX_NAME_LENGTH = 128;
    /** Service and check IDs. */
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_TAGS = 64;
    public static final int MAX_TAG_LENGTH = 256;
    /** Consul's meta limits: 64 pairs, keys up to 128 characters, values up to 512. */
    public static final int MAX_META_PAIRS = 64;
    public static final int MAX_META_KEY_LENGTH = 128;
    public static final int MAX_META_VALUE_LENGTH = 512;
    public static final int MAX_ADDRESS_LENGTH = 256;

    public static final ApiLimits DEFAULTS =
            new ApiLimits(DEFAULT_MAX_KV_VALUE_BYTES, DEFAULT_MAX_KV_KEY_BYTES);

    public ApiLimits {
        if (maxKvValueBytes < 1 || maxKvValueBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "maxKvValueBytes " + maxKvValueBytes + " must be between 1 and 67108864 (64 MiB)");
        }
        if (maxKvKeyBytes < 1 || maxKvKeyBytes > 64 * 1024) {
            throw new IllegalArgumentException("maxKvKeyBytes " + maxKvKeyBytes + " must be between 1 and 65536");
        }
    }
}
