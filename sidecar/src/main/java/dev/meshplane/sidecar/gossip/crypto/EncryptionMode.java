package dev.meshplane.sidecar.gossip.crypto;

/**
 * Consul's encrypt_verify_outgoing / encrypt_verify_incoming. Turning encryption on in a
 * running cluster, one agent at a time and without a restart of the cluster: give every agent
 * the key with both false (accepts either, sends plaintext), then set outgoing true everywhere
 * (sends encrypted, still accepts plaintext), then set incoming true everywhere (plaintext is
 * dropped).
 *
 * @param encryptOutgoing seal outgoing packets with the primary key
 * @param verifyIncoming drop plaintext packets (sealed ones are always verified)
 */
public record EncryptionMode(boolean encryptOutgoing, boolean verifyIncoming) {
  /** The steady state once a key is configured. */
  public static final EncryptionMode ENFORCED = new EncryptionMode(true, true);
  /** No encryption. */
  public static final EncryptionMode PLAINTEXT = new EncryptionMode(false, false);

  /** Throws naming the problem if this mode needs a key the keyring does not have. */
  public void checkAgainst(Keyring keyring) {
    if ((encryptOutgoing || verifyIncoming) && keyring.isEmpty()) {
      throw new IllegalArgumentException("encrypt_verify_outgoing=" + encryptOutgoing + " encrypt_verify_incoming="
          + verifyIncoming + " needs an encryption key, but the keyring is empty");
    }
  }
}
