package dev.meshplane.api;

import java.util.Map;

/** Rules for names, IDs and metadata that several request types share. */
public final class NameRules {
    private NameRules() {}

    /** A service or node name. */
    public static void checkName(String field, String value) {
        if (value.isEmpty()) {
            throw ApiException.invalidArgument(field, "must not be empty");
        }
        if (value.length() > ApiLimits.MAX_NAME_LENGTH) {
            throw ApiException.invalidArgument(field, "is " + value.length() + " characters long; the limit is "
                    + ApiLimits.MAX_NAME_LENGTH);
        }
        if (!Text.isName(value)) {
            throw ApiException.invalidArgument(field, Text.quote(value)
                    + " may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }
    }

    /** A service or check ID: anything printable without whitespace or '/'. */
    public static void checkId(String field, String value) {
        if (value.isEmpty()) {
            throw ApiException.invalidArgument(field, "must not be empty");
        }
        if (value.length() > ApiLimits.MAX_ID_LENGTH) {
            throw ApiException.invalidArgument(field, "is " + value.length() + " characters long; the limit is "
                    + ApiLimits.MAX_ID_LENGTH);
        }
        int bad = Text.firstBlankOrControl(value);
        if (bad >= 0 || value.indexOf('/') >= 0) {
            throw ApiException.invalidArgument(field, Text.quote(value)
                    + " must not contain whitespace, control characters or '/'");
        }
    }

    public static void checkMeta(String field, Map<String, String> meta) {
        if (meta.size() > ApiLimits.MAX_META_PAIRS) {
            throw ApiException.invalidArgument(field, "has " + meta.size() + " pairs; the limit is "
                    + ApiLimits.MAX_META_PAIRS);
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String key = e.getKey();
            if (key.isEmpty() || key.length() > ApiLimits.MAX_META_KEY_LENGTH) {
                throw ApiException.invalidArgument(field, "key " + Text.quote(key) + " must be 1 to "
                        + ApiLimits.MAX_META_KEY_LENGTH + " characters");
            }
            for (char c : key.toCharArray()) {
                if (!Text.isAlnum(c) && c != '_' && c != '-') {
                    throw ApiException.invalidArgument(field, "key " + Text.quote(key)
                            + " may contain only letters, digits, '_' and '-'");
                }
            }
            if (e.getValue().length() > ApiLimits.MAX_META_VALUE_LENGTH) {
                throw ApiException.invalidArgument(field + "[" + key + "]", "value is " + e.getValue().length()
                        + " characters long; the limit is " + ApiLimits.MAX_META_VALUE_LENGTH);
            }
        }
    }

    public static void checkAddress(String field, String value) {
        if (value.length() > ApiLimits.MAX_ADDRESS_LENGTH) {
            throw ApiException.invalidArgument(field, "is " + value.length() + " characters long; the limit is "
                    + ApiLimits.MAX_ADDRESS_LENGTH);
        }
        if (Text.firstBlankOrControl(value) >= 0) {
            throw ApiException.invalidArgument(field, Text.quote(value) + " must not contain whitespace");
        }
    }
}
