package dev.meshplane.sidecar.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One decoded HTTP request as the endpoints see it: method, decoded path, query parameters,
 * headers and the body. Things started on its behalf register here to be cancelled when the
 * client goes away.
 */
final class Request {
    private final String method;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final List<Runnable> onCancel = new ArrayList<>();
    private boolean cancelled;

    Request(String method, String path, Map<String, List<String>> query, HttpHeaders headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.body = body;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    /** The path after a route's prefix, e.g. the key of /v1/kv/KEY. */
    String tail(String prefix) {
        return path.length() > prefix.length() ? path.substring(prefix.length()) : "";
    }

    /** Whether a parameter is present at all, with or without a value (?recurse). */
    boolean has(String name) {
        return query.containsKey(name);
    }

    /** The first value of a parameter, or null when absent. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** An unsigned integer parameter; absent gives {@code absent}, garbage a 400 naming it. */
    long unsigned(String name, long absent) {
        String value = param(name);
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseUnsignedLong(value.trim());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("Invalid " + name + ": \"" + value + "\" is not an unsigned integer");
        }
    }

    HttpHeaders headers() {
        return headers;
    }

    byte[] body() {
        return body;
    }

    /** The same request for a call shared by several clients; cancelled only when all have gone. */
    Request copyForSharing() {
        return new Request(method, path, query, headers, body);
    }

    /** Runs {@code action} when the client disconnects before the answer (at once if it already has). */
    void onCancel(Runnable action) {
        boolean now;
        synchronized (this) {
            now = cancelled;
            if (!now) {
                onCancel.add(action);
            }
        }
        if (now) {
            action.run();
        }
    }

    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            actions = List.copyOf(onCancel);
            onCancel.clear();
        }
        actions.forEach(Runnable::run);
    }
}
