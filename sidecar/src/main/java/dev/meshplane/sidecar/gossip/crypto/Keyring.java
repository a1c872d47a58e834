package dev.meshplane.sidecar.gossip.crypto;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The gossip encryption keys: one primary that seals outgoing packets, and any number of others
 * still accepted on receipt, so that a key can be rotated without dropping traffic (install the
 * new key everywhere, use it everywhere, then remove the old one). Thread-safe: readers see an
 * immutable snapshot.
 */
public final class Keyring {
  /** Longest keyring accepted; every key is tried on a packet that the primary cannot open. */
  public static final int MAX_KEYS = 16;

  /** Keys, primary first; empty when encryption is not configured. */
  private volatile List<byte[]> keys;

  private Keyring(List<byte[]> keys) {
    this.keys = List.copyOf(keys);
  }

  /** A keyring with no keys: gossip is plaintext. */
  public static Keyring empty() {
    return new Keyring(List.of());
  }

  /** A keyring whose primary is {@code primaryBase64} (the `-encrypt` value). */
  public static Keyring of(String primaryBase64, String... othersBase64) {
    List<byte[]> keys = new ArrayList<>();
    keys.add(decode(primaryBase64));
    for (String other : othersBase64) {
      byte[] key = decode(other);
      if (indexOf(keys, key) < 0) {
        keys.add(key);
      }
    }
    if (keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("keyring holds " + keys.size() + " keys, over the limit of " + MAX_KEYS);
    }
    return new Keyring(keys);
  }

  /** Adds a key that is accepted on receipt; does nothing if it is installed already. */
  public synchronized void install(String base64) {
    byte[] key = decode(base64);
    List<byte[]> current = keys;
    if (indexOf(current, key) >= 0) {
      return;
    }
    if (current.size() >= MAX_KEYS) {
      throw new IllegalArgumentException("keyring is full (" + MAX_KEYS + " keys): remove a key first");
    }
    List<byte[]> next = new ArrayList<>(current);
    next.add(key);
    keys = List.copyOf(next);
  }

  /** Makes an installed key the primary, which seals every outgoing packet from now on. */
  public synchronized void use(String base64) {
    byte[] key = decode(base64);
    List<byte[]> current = keys;
    int at = indexOf(current, key);
    if (at < 0) {
      throw new IllegalArgumentException("key " + fingerprint(key) + " is not installed; install it first");
    }
    List<byte[]> next = new ArrayList<>(current);
    next.add(0, next.remove(at));
    keys = List.copyOf(next);
  }

  /** Removes a key; the primary cannot be removed (use another key first). */
  public synchronized void remove(String base64) {
    byte[] key = decode(base64);
    List<byte[]> current = keys;
    int at = indexOf(current, key);
    if (at < 0) {
      throw new IllegalArgumentException("key " + fingerprint(key) + " is not installed");
    }
    if (at == 0) {
      throw new IllegalArgumentException("key " + fingerprint(key) + " is the primary key; use another key before removing it");
    }
    List<byte[]> next = new ArrayList<>(current);
    next.remove(at);
    keys = List.copyOf(next);
  }

  /** The installed keys in base64, primary first. */
  public List<String> list() {
    return keys.stream().map(k -> Base64.getEncoder().encodeToString(k)).toList();
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  Optional<byte[]> primary() {
    List<byte[]> current = keys;
    return current.isEmpty() ? Optional.empty() : Optional.of(current.get(0));
  }

  List<byte[]> keys() {
    return keys;
  }

  /** Decodes and checks a base64 AES key of 16, 24 or 32 bytes. */
  public static byte[] decode(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException("encryption key must not be empty");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("encryption key is not valid base64: " + e.getMessage());
    }
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException(
          "encryption key is " + key.length + " bytes; it must be 16, 24 or 32 bytes (AES-128/192/256)");
    }
    return key;
  }

  private static int indexOf(List<byte[]> keys, byte[] key) {
    for (int i = 0; i < keys.size(); i++) {
      if (MessageDigest.isEqual(keys.get(i), key)) {
        return i;
      }
    }
    return -1;
  }

  /** A short, non-secret name for a key in error messages: its length and a hash prefix. */
  static String fingerprint(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return key.length * 8 + "-bit key sha256:" + java.util.HexFormat.of().formatHex(digest, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
