package dev.meshplane.cli;

import java.net.InetSocketAddress;

/** Parses "host:port" arguments with messages that name the flag. */
final class Addresses {
    private Addresses() {}

    static InetSocketAddress parse(String flag, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new CliException(flag + ": \"" + value + "\" is not HOST:PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = port(flag, value.substring(colon + 1));
        return InetSocketAddress.createUnresolved(host, port);
    }

    static int port(String flag, String value) {
        int port;
        try {
            port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new CliException(flag + ": \"" + value + "\" is not a port number");
        }
        if (port < 0 || port > 65535) {
            throw new CliException(flag + ": " + port + " is out of range 0-65535");
        }
        return port;
    }
}
