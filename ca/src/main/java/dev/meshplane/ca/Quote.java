package dev.meshplane.ca;

/** Renders untrusted text for an error message: quoted, control characters escaped, long values cut. */
final class Quote {
    /** Enough to recognise a value; a 2 KiB SPIFFE ID in full would drown the message. */
    private static final int MAX_SHOWN = 96;

    private Quote() {}

    static String of(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN - 3) + "..." : s;
        StringBuilder b = new StringBuilder(shown.length() + 2).append('"');
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** A single character for an error message, e.g. {@code 'A' (U+0041)}. */
    static String character(char c) {
        String shown = c < 0x20 || (c >= 0x7f && c <= 0x9f) ? "" : "'" + c + "' ";
        return shown + String.format("(U+%04X)", (int) c);
    }
}
