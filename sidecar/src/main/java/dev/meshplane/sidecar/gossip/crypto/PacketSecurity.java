package dev.meshplane.sidecar.gossip.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Frames every gossip packet and stream frame. The first byte says what follows:
 * {@code 0x00} plaintext; {@code 0x01} AES-GCM: a 12-byte random nonce, the ciphertext and the
 * 16-byte tag, with the version byte as associated data. Sealing uses the primary key; opening
 * tries every installed key. Thread-safe; the mode may change while running.
 */
public final class PacketSecurity {
  public static final byte PLAINTEXT = 0x00;
  public static final byte AES_GCM_V1 = 0x01;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;
  /** Bytes an encrypted packet adds: version byte, nonce, tag. */
  public static final int OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

  /** Why a received packet was dropped. */
  public enum Rejection {
    EMPTY,
    UNKNOWN_FORMAT,
    PLAINTEXT_REFUSED,
    ENCRYPTED_WITHOUT_KEYS,
    DECRYPT_FAILED
  }

  /** A received packet that was dropped; {@link #rejection()} says why. */
  public static final class RejectedPacketException extends Exception {
    private final Rejection rejection;

    RejectedPacketException(Rejection rejection, String message) {
      super(message);
      this.rejection = rejection;
    }

    public Rejection rejection() {
      return rejection;
    }
  }

  private final Keyring keyring;
  private final SecureRandom random = new SecureRandom();
  private volatile EncryptionMode mode;

  public PacketSecurity(Keyring keyring, EncryptionMode mode) {
    mode.checkAgainst(keyring);
    this.keyring = keyring;
    this.mode = mode;
  }

  public Keyring keyring() {
    return keyring;
  }

  public EncryptionMode mode() {
    return mode;
  }

  /** Switches encryption on or off for outgoing and incoming packets, without a restart. */
  public void setMode(EncryptionMode next) {
    next.checkAgainst(keyring);
    this.mode = next;
  }

  public byte[] wrap(byte[] plaintext) {
    Optional<byte[]> primary = keyring.primary();
    if (!mode.encryptOutgoing() || primary.isEmpty()) {
      byte[] out = new byte[plaintext.length + 1];
      out[0] = PLAINTEXT;
      System.arraycopy(plaintext, 0, out, 1, plaintext.length);
      return out;
    }
    byte[] out = new byte[OVERHEAD + plaintext.length];
    out[0] = AES_GCM_V1;
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, primary.get(), nonce);
      cipher.doFinal(plaintext, 0, plaintext.length, out, 1 + NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM sealing failed: " + e.getMessage(), e);
    }
    return out;
  }

  public byte[] unwrap(byte[] data) throws RejectedPacketException {
    if (data.length == 0) {
      throw new RejectedPacketException(Rejection.EMPTY, "empty packet");
    }
    switch (data[0]) {
      case PLAINTEXT -> {
        if (mode.verifyIncoming()) {
          throw new RejectedPacketException(Rejection.PLAINTEXT_REFUSED,
              "plaintext packet refused: encrypt_verify_incoming is on");
        }
        return Arrays.copyOfRange(data, 1, data.length);
      }
      case AES_GCM_V1 -> {
        return open(data);
      }
      default -> throw new RejectedPacketException(Rejection.UNKNOWN_FORMAT,
          "unknown packet format byte 0x" + Integer.toHexString(data[0] & 0xff));
    }
  }

  private byte[] open(byte[] data) throws RejectedPacketException {
    List<byte[]> keys = keyring.keys();
    if (keys.isEmpty()) {
      throw new RejectedPacketException(Rejection.ENCRYPTED_WITHOUT_KEYS,
          "encrypted packet received but no encryption key is configured");
    }
    if (data.length < OVERHEAD) {
      throw new RejectedPacketException(Rejection.DECRYPT_FAILED,
          "encrypted packet of " + data.length + " bytes is shorter than its " + OVERHEAD + "-byte overhead");
    }
    byte[] nonce = Arrays.copyOfRange(data, 1, 1 + NONCE_BYTES);
    for (byte[] key : keys) {
      try {
        Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce);
        return cipher.doFinal(data, 1 + NONCE_BYTES, data.length - 1 - NONCE_BYTES);
      } catch (javax.crypto.AEADBadTagException wrongKey) {
        // Try the next installed key.
      } catch (GeneralSecurityException e) {
        throw new RejectedPacketException(Rejection.DECRYPT_FAILED, "AES-GCM open failed: " + e.getMessage());
      }
    }
    throw new RejectedPacketException(Rejection.DECRYPT_FAILED,
        "no installed key (" + keys.size() + " tried) opens the packet");
  }

  private static Cipher cipher(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
    cipher.updateAAD(new byte[] {AES_GCM_V1});
    return cipher;
  }
}
