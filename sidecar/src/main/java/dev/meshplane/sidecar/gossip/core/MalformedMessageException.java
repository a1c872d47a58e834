package dev.meshplane.sidecar.gossip.core;

/** A received packet or stream frame that does not decode to a valid message; the text says why. */
public final class MalformedMessageException extends Exception {
  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
