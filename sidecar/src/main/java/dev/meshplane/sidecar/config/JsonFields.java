package dev.meshplane.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One JSON object of a definition file, read by field name regardless of spelling: Consul
 * accepts both snake_case ("check_id", "grpc_use_tls") and its API's CamelCase ("CheckID",
 * "GRPCUseTLS"), so names are compared lower-cased without underscores. Every read marks the
 * field as used; {@link #unused} lists the rest for a warning.
 */
final class JsonFields {
    private final String path;
    private final Map<String, Map.Entry<String, JsonNode>> byKey = new LinkedHashMap<>();
    private final Set<String> used = new java.util.HashSet<>();

    private final boolean topLevel;

    JsonFields(String path, JsonNode node) {
        this(path, node, false);
    }

    /** @param topLevel the file's root object: its fields read "file.json: field" rather than "file.json.field" */
    JsonFields(String path, JsonNode node, boolean topLevel) {
        this.path = path;
        this.topLevel = topLevel;
        if (!node.isObject()) {
            throw new ConfigException(path + ": expected an object, found " + kind(node));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = key(e.getKey());
            Map.Entry<String, JsonNode> previous = byKey.put(key, e);
            if (previous != null) {
                throw new ConfigException(path + ": \"" + previous.getKey() + "\" and \"" + e.getKey()
                        + "\" are the same field");
            }
        }
    }

    static String key(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    String path() {
        return path;
    }

    /** The field's path as written in the file. */
    String pathOf(String name) {
        Map.Entry<String, JsonNode> e = byKey.get(key(name));
        return path + (topLevel ? ": " : ".") + (e == null ? name : e.getKey());
    }

    JsonNode get(String... names) {
        JsonNode found = null;
        String foundName = null;
        for (String name : names) {
            Map.Entry<String, JsonNode> e = byKey.get(key(name));
            if (e == null) {
                continue;
            }
            used.add(key(name));
            if (found != null) {
                throw new ConfigException(path + ": give only one of \"" + foundName + "\" and \"" + e.getKey() + "\"");
            }
            found = e.getValue().isNull() ? null : e.getValue();
            foundName = e.getKey();
        }
        return found;
    }

    boolean has(String... names) {
        for (String name : names) {
            Map.Entry<String, JsonNode> e = byKey.get(key(name));
            if (e != null && !e.getValue().isNull()) {
                return true;
            }
        }
        return false;
    }

    String string(String name, Consumer<String> set) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ConfigException(pathOf(name) + ": expected a string, found " + kind(n));
        }
        set.accept(n.asText());
        return n.asText();
    }

    void bool(String name, Consumer<Boolean> set) {
        JsonNode n = get(name);
        if (n == null) {
            return;
        }
        if (!n.isBoolean()) {
            throw new ConfigException(pathOf(name) + ": expected true or false, found " + kind(n));
        }
        set.accept(n.asBoolean());
    }

    void integer(String name, Consumer<Integer> set) {
        JsonNode n = get(name);
        if (n == null) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException(pathOf(name) + ": expected a whole number, found " + kind(n));
        }
        set.accept(n.asInt());
    }

    void duration(String name, Consumer<Duration> set) {
        JsonNode n = get(name);
        if (n == null) {
            return;
        }
        if (!n.isTextual()) {
            throw new ConfigException(pathOf(name) + ": expected a duration string such as \"10s\", found " + kind(n));
        }
        Duration d = GoDurations.parse(n.asText());
        if (d == null) {
            throw new ConfigException(pathOf(name) + ": \"" + n.asText()
                    + "\" is not a duration (examples: \"500ms\", \"10s\", \"1m30s\")");
        }
        set.accept(d);
    }

    List<String> strings(String... names) {
        JsonNode n = get(names);
        if (n == null) {
            return null;
        }
        String where = pathOf(names[0]);
        for (String name : names) {
            if (byKey.containsKey(key(name))) {
                where = pathOf(name);
            }
        }
        if (!n.isArray()) {
            throw new ConfigException(where + ": expected a list of strings, found " + kind(n));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw new ConfigException(where + "[" + i + "]: expected a string, found " + kind(n.get(i)));
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    /** A JSON object of string values (meta). Keys are kept as written. */
    Map<String, String> stringMap(String name) {
        JsonNode n = get(name);
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw new ConfigException(pathOf(name) + ": expected an object, found " + kind(n));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ConfigException(pathOf(name) + "." + e.getKey() + ": expected a string, found "
                        + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** Fields present in the file that nothing read. */
    List<String> unused() {
        List<String> out = new ArrayList<>();
        byKey.forEach((k, e) -> {
            if (!used.contains(k)) {
                out.add(e.getKey());
            }
        });
        return out;
    }

    static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "an object";
        }
        return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
