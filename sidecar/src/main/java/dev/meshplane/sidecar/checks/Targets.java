package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;

/** Parses "host:port" and "host:port/service" check targets. */
final class Targets {
    private Targets() {}

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static HostPort hostPort(String field, String value) {
        if (value.isEmpty()) {
            throw ApiException.invalidArgument(field, "must not be empty");
        }
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw ApiException.invalidArgument(field, "\"" + value + "\" must be [ipv6]:port");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) {
                throw ApiException.invalidArgument(field, "\"" + value + "\" must be host:port");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        for (char c : host.toCharArray()) {
            if (Character.isWhitespace(c) || c == '/' || c < 0x20) {
                throw ApiException.invalidArgument(field, "\"" + value + "\" has an invalid host");
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw ApiException.invalidArgument(field, "\"" + value + "\" has a port that is not a number");
        }
        if (p < 1 || p > 65535) {
            throw ApiException.invalidArgument(field, "\"" + value + "\" has port " + p + " outside 1-65535");
        }
        return new HostPort(host, p);
    }

    /** A gRPC target: host:port with an optional "/service" naming the grpc.health.v1 service. */
    record GrpcTarget(HostPort address, String service) {
        @Override
        public String toString() {
            return service.isEmpty() ? address.toString() : address + "/" + service;
        }
    }

    static GrpcTarget grpc(String field, String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            return new GrpcTarget(hostPort(field, value), "");
        }
        return new GrpcTarget(hostPort(field, value.substring(0, slash)), value.substring(slash + 1));
    }
}
