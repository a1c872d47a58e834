package dev.meshplane.sidecar.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer before it is put on the wire: status, headers and body bytes. */
record Reply(int status, Map<String, String> headers, byte[] body, String contentType) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    Reply {
        headers = new LinkedHashMap<>(headers);
    }

    static Reply json(int status, byte[] body) {
        return new Reply(status, Map.of(), body, JSON);
    }

    static Reply text(int status, String message) {
        return new Reply(status, Map.of(), message.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    /** 200 with no body, as Consul answers agent writes. */
    static Reply empty() {
        return new Reply(200, Map.of(), new byte[0], TEXT);
    }

    Reply withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    Reply withHeaders(Map<String, String> more) {
        headers.putAll(more);
        return this;
    }
}
