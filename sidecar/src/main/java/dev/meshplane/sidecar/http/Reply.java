package dev.meshplane.sidecar.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer before it is put on the wire: status, headers and body bytes. */
record Reply(int status, Map<String, String> headers, byte[] body, String contentType, WireCache wire) {
    /**
     * The whole HTTP/1.1 keep-alive response as bytes, encoded once by Netty's encoder when a
     * reply is shared by many waiting clients (a woken blocking query): each client is then one
     * write of the same bytes rather than one encoding each.
     */
    static final class WireCache {
        private volatile byte[] bytes;

        byte[] get(java.util.function.Supplier<byte[]> encode) {
            byte[] b = bytes;
            if (b == null) {
                synchronized (this) {
                    b = bytes;
                    if (b == null) {
                        b = encode.get();
                        bytes = b;
                    }
                }
            }
            return b;
        }
    }

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    Reply {
        headers = new LinkedHashMap<>(headers);
    }

    Reply(int status, Map<String, String> headers, byte[] body, String contentType) {
        this(status, headers, body, contentType, new WireCache());
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
