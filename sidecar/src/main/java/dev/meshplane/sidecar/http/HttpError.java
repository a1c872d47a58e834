package dev.meshplane.sidecar.http;

import java.util.Map;

/**
 * A failure the HTTP layer itself detects (bad query parameter, undecodable body, wrong
 * method), answered with Consul's status code and a plain-text message.
 */
final class HttpError extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    static HttpError tooLarge(String message) {
        return new HttpError(413, message);
    }

    int status() {
        return status;
    }

    Map<String, String> headers() {
        return headers;
    }
}
