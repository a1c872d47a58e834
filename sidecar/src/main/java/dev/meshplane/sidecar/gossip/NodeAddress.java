package dev.meshplane.sidecar.gossip;

/**
 * Where a member receives gossip: an IP literal (or host name) and the one port used for both
 * UDP and TCP. Kept as text so that the protocol core never resolves names.
 */
public record NodeAddress(String host, int port) {

  public NodeAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("gossip address host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("gossip address port " + port + " is outside 1..65535");
    }
  }

  /** Parses {@code host:port} or {@code [v6]:port}. */
  public static NodeAddress parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("gossip address must not be null");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("gossip address '" + text + "' is not host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("gossip address '" + text + "' has a non-numeric port");
    }
    return new NodeAddress(host, port);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
