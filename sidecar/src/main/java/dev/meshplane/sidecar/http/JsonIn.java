package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Consul request document the way Consul does: field names match case-insensitively
 * and with or without underscores ("EnableTagOverride", "enable_tag_override"), unknown fields
 * are ignored, and a field of the wrong type is a 400 naming its path.
 */
final class JsonIn {
    private final JsonNode node;
    private final String path;

    JsonIn(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static JsonIn parseObject(byte[] body) {
        JsonNode n = Json.parse(body);
        if (!n.isObject()) {
            throw HttpError.badRequest("Request decode failed: expected a JSON object, got " + n.getNodeType());
        }
        return new JsonIn(n, "");
    }

    String path() {
        return path;
    }

    JsonNode node() {
        return node;
    }

    private String childPath(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The field under any of the given names, or null when absent or JSON null. */
    private JsonNode raw(String... names) {
        for (String name : names) {
            String want = normalize(name);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (normalize(e.getKey()).equals(want)) {
                    return e.getValue().isNull() ? null : e.getValue();
                }
            }
        }
        return null;
    }

    private static String normalize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '_' && c != '-') {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString();
    }

    boolean has(String... names) {
        return raw(names) != null;
    }

    private HttpError wrongType(String name, String expected, JsonNode got) {
        return HttpError.badRequest("Request decode failed: " + childPath(name) + ": expected " + expected
                + ", got " + got.getNodeType().name().toLowerCase() + " " + abbreviate(got.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 61) + "..." : s;
    }

    String text(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return "";
        }
        if (!n.isTextual()) {
            throw wrongType(name, "a string", n);
        }
        return n.asText();
    }

    long integer(String name, long absent) {
        JsonNode n = raw(name);
        if (n == null) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw wrongType(name, "an integer", n);
        }
        return n.asLong();
    }

    int int32(String name, int absent) {
        long v = integer(name, absent);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw HttpError.badRequest("Request decode failed: " + childPath(name) + ": " + v + " is out of range");
        }
        return (int) v;
    }

    boolean bool(String name) {
        JsonNode n = raw(name);
        if (n == null) {
            return false;
        }
        if (!n.isBoolean()) {
            throw wrongType(name, "true or false", n);
        }
        return n.asBoolean();
    }

    List<String> strings(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw wrongType(name, "an array of strings", n);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw wrongType(name + "[" + out.size() + "]", "a string", e);
            }
            out.add(e.asText());
        }
        return out;
    }

    Map<String, String> stringMap(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw wrongType(name, "an object of strings", n);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw wrongType(name + "." + e.getKey(), "a string", e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** A nested object, or null when absent. */
    JsonIn object(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw wrongType(name, "an object", n);
        }
        return new JsonIn(n, childPath(name));
    }

    List<JsonIn> objects(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return List.of();
        }
        if (!n.isArray()) {
            throw wrongType(name, "an array of objects", n);
        }
        List<JsonIn> out = new ArrayList<>();
        for (JsonNode e : n) {
            String p = name + "[" + out.size() + "]";
            if (!e.isObject()) {
                throw wrongType(p, "an object", e);
            }
            out.add(new JsonIn(e, childPath(p)));
        }
        return out;
    }

    /**
     * A duration as Consul accepts it: a Go duration string ("10s") or a number of nanoseconds.
     * Null when absent.
     */
    Duration duration(String name, String... aliases) {
        JsonNode n = raw(concat(name, aliases));
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return Duration.ofNanos(n.asLong());
        }
        if (!n.isTextual()) {
            throw wrongType(name, "a duration such as \"10s\"", n);
        }
        if (n.asText().isEmpty()) {
            return null;
        }
        try {
            return GoDuration.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("Request decode failed: " + childPath(name) + ": " + e.getMessage());
        }
    }

    private static String[] concat(String name, String[] aliases) {
        String[] all = new String[aliases.length + 1];
        all[0] = name;
        System.arraycopy(aliases, 0, all, 1, aliases.length);
        return all;
    }
}
