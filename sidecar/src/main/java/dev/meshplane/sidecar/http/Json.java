package dev.meshplane.sidecar.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/** The one JSON mapper of the HTTP API and small helpers for building Consul-shaped trees. */
final class Json {
    /** Consul documents nest a handful of levels; anything deeper is an attack or a mistake. */
    static final int MAX_NESTING = 64;

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper();

    static {
        StreamReadConstraints limits = StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build();
        MAPPER.getFactory().setStreamReadConstraints(limits);
        PRETTY.getFactory().setStreamReadConstraints(limits);
        PRETTY.enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    }

    private Json() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    static ObjectNode stringMap(Map<String, String> map) {
        ObjectNode o = object();
        map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> o.put(e.getKey(), e.getValue()));
        return o;
    }

    /** 200 with the tree as JSON; ?pretty indents it as Consul does. */
    static Reply reply(Request r, JsonNode tree) {
        return reply(r, 200, tree);
    }

    static Reply reply(Request r, int status, JsonNode tree) {
        try {
            byte[] body = r.has("pretty") ? PRETTY.writeValueAsBytes(tree) : MAPPER.writeValueAsBytes(tree);
            return Reply.json(status, body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a request body, answering 400 with what was wrong when it is not JSON. */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw HttpError.badRequest("Request decode failed: the body is empty");
            }
            return node;
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            int nl = m.indexOf('\n');
            throw HttpError.badRequest("Request decode failed: " + (nl > 0 ? m.substring(0, nl) : m));
        }
    }
}
