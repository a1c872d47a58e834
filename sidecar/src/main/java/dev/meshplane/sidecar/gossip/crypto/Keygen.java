package dev.meshplane.sidecar.gossip.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/** Makes gossip encryption keys (`meshctl keygen`): 32 random bytes, base64. */
public final class Keygen {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Keygen() {}

  public static String generate() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
