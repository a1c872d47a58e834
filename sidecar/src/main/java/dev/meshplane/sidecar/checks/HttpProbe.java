package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.HttpCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP(S) request: 2xx is passing, 429 (Too Many Requests) warning, anything else critical.
 * The output is the status line followed by the start of the body, bounded.
 */
final class HttpProbe implements Probe {
    /** How much of the body is read into the output; the rest is not waited for. */
    private static final int BODY_BYTES = 4096;

    private final HttpCheck spec;
    private final URI uri;
    private final HttpClients.Lease lease;

    HttpProbe(String field, HttpCheck spec, HttpClients clients) {
        this.spec = spec;
        this.uri = URI.create(spec.getUrl());
        this.lease = clients.acquire(field + ".tls", spec.getTls());
        request(Duration.ofSeconds(1)); // refuses headers the JDK client will not send, at registration
    }

    private HttpRequest request(Duration timeout) {
        HttpRequest.BodyPublisher body = spec.getBody().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(spec.getBody());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).method(spec.getMethod(), body);
        boolean userAgent = false;
        for (var e : spec.getHeadersMap().entrySet()) {
            userAgent |= e.getKey().equalsIgnoreCase("User-Agent");
            for (String v : e.getValue().getValuesList()) {
                try {
                    b.header(e.getKey(), v);
                } catch (IllegalArgumentException refused) {
                    throw ApiException.invalidArgument("http.headers[" + e.getKey() + "]", refused.getMessage());
                }
            }
        }
        if (!userAgent) {
            b.header("User-Agent", "Meshplane Health Check");
        }
        if (!spec.getHeadersMap().containsKey("Accept")) {
            b.header("Accept", "text/plain, text/*, */*");
        }
        return b.build();
    }

    @Override
    public CheckResult run(Duration timeout) throws InterruptedException {
        String what = "HTTP " + spec.getMethod() + " " + uri;
        HttpResponse<InputStream> response;
        try {
            response = lease.client().send(request(timeout), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            return CheckResult.critical(what + ": no response within " + Outputs.duration(timeout));
        } catch (IOException e) {
            return CheckResult.critical(what + ": " + Outputs.cause(e.getMessage(), e.getCause()));
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(BODY_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "(body unreadable: " + e.getMessage() + ")";
        }
        int code = response.statusCode();
        String output = what + ": " + code + (body.isEmpty() ? "" : " Output: " + body);
        if (code >= 200 && code < 300) {
            return CheckResult.passing(output);
        }
        if (code == 429) {
            return CheckResult.warning(output);
        }
        return CheckResult.critical(output);
    }

    @Override
    public void close() {
        lease.release();
    }
}
