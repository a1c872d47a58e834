package dev.meshplane.api;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/** Validates KV keys, prefixes and values. */
public final class KvRules {
    private KvRules() {}

    /** A key: 1 to maxKvKeyBytes UTF-8 bytes, no leading '/', no control characters. */
    public static void checkKey(String field, String key, ApiLimits limits) {
        if (key.isEmpty()) {
            throw ApiException.invalidArgument(field, "must not be empty");
        }
        checkPrefix(field, key, limits);
    }

    /** A prefix: like a key, but may be empty (the whole store). */
    public static void checkPrefix(String field, String prefix, ApiLimits limits) {
        int bytes = prefix.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxKvKeyBytes()) {
            throw ApiException.invalidArgument(field, "is " + bytes + " bytes long; the limit is "
                    + limits.maxKvKeyBytes());
        }
        if (prefix.startsWith("/")) {
            throw ApiException.invalidArgument(field, Text.quote(prefix) + " must not start with '/'");
        }
        int bad = Text.firstControl(prefix);
        if (bad >= 0) {
            throw ApiException.invalidArgument(field, Text.quote(prefix)
                    + " contains a control character at position " + bad);
        }
    }

    public static void checkValue(String field, ByteString value, ApiLimits limits) {
        if (value.size() > limits.maxKvValueBytes()) {
            throw ApiException.invalidArgument(field, "is " + value.size() + " bytes; the limit is "
                    + limits.maxKvValueBytes() + " bytes");
        }
    }

    /** A separator for rolling keys up: empty or one short string without control characters. */
    public static void checkSeparator(String field, String separator) {
        if (separator.length() > 16 || Text.firstControl(separator) >= 0) {
            throw ApiException.invalidArgument(field, Text.quote(separator)
                    + " must be at most 16 characters without control characters");
        }
    }
}
