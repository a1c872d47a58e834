package dev.meshplane.sidecar.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the endpoint for a path: exact paths, or prefixes ending in '/' whose tail is an
 * argument (/v1/kv/KEY). An unknown path is a 404; a known path with the wrong method a 405
 * with an Allow header, as Consul answers.
 */
final class Router {
    private record Route(String pattern, String method, Endpoint endpoint) {
        boolean prefix() {
            return pattern.endsWith("/");
        }

        boolean matches(String path) {
            return prefix() ? path.startsWith(pattern) : path.equals(pattern);
        }
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String pattern, Endpoint endpoint) {
        routes.add(new Route(pattern, method, endpoint));
        // Longest pattern first, so /v1/agent/service/register wins over /v1/agent/service/.
        routes.sort(Comparator.comparingInt((Route r) -> r.pattern().length()).reversed());
        return this;
    }

    CompletableFuture<Reply> dispatch(Request request) {
        String matched = null;
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            if (matched != null && !r.pattern().equals(matched)) {
                break;
            }
            if (r.matches(request.path())) {
                matched = r.pattern();
                if (r.method().equals(request.method())) {
                    return r.endpoint().handle(request);
                }
                allowed.add(r.method());
            }
        }
        if (matched == null) {
            throw HttpError.notFound("No such endpoint: " + request.path());
        }
        throw new HttpError(405, "method " + request.method() + " not allowed",
                Map.of("Allow", String.join(", ", allowed)));
    }
}
