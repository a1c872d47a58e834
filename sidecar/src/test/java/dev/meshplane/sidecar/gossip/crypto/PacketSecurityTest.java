package dev.meshplane.sidecar.gossip.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.Rejection;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.RejectedPacketException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketSecurityTest {
  private static final byte[] MESSAGE = "a compound gossip packet".getBytes(StandardCharsets.UTF_8);

  private static String key(int bytes, int fill) {
    byte[] k = new byte[bytes];
    java.util.Arrays.fill(k, (byte) fill);
    return Base64.getEncoder().encodeToString(k);
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 24, 32})
  void sealsWithVersionNonceAndTagAndOpensAgain(int keyBytes) throws Exception {
    PacketSecurity security = new PacketSecurity(Keyring.of(key(keyBytes, 7)), EncryptionMode.ENFORCED);
    byte[] sealed = security.wrap(MESSAGE);
    assertEquals(PacketSecurity.AES_GCM_V1, sealed[0]);
    assertEquals(MESSAGE.length + 1 + 12 + 16, sealed.length);
    assertArrayEquals(MESSAGE, security.unwrap(sealed));
    assertTrue(new String(sealed, StandardCharsets.ISO_8859_1).indexOf("compound") < 0,
        "the ciphertext does not carry the plaintext");
  }

  @Test
  void twoSealsOfOneMessageDifferByTheirNonce() {
    PacketSecurity security = new PacketSecurity(Keyring.of(key(32, 1)), EncryptionMode.ENFORCED);
    assertNotEquals(Base64.getEncoder().encodeToString(security.wrap(MESSAGE)),
        Base64.getEncoder().encodeToString(security.wrap(MESSAGE)));
  }

  @Test
  void opensWithAnyInstalledKey() throws Exception {
    PacketSecurity oldSender = new PacketSecurity(Keyring.of(key(32, 1)), EncryptionMode.ENFORCED);
    Keyring both = Keyring.of(key(32, 2), key(32, 1));
    PacketSecurity receiver = new PacketSecurity(both, EncryptionMode.ENFORCED);
    assertArrayEquals(MESSAGE, receiver.unwrap(oldSender.wrap(MESSAGE)));
  }

  @Test
  void aPacketNoKeyOpensIsRejected() {
    PacketSecurity sender = new PacketSecurity(Keyring.of(key(32, 1)), EncryptionMode.ENFORCED);
    PacketSecurity receiver = new PacketSecurity(Keyring.of(key(32, 2)), EncryptionMode.ENFORCED);
    RejectedPacketException e = assertThrows(RejectedPacketException.class, () -> receiver.unwrap(sender.wrap(MESSAGE)));
    assertEquals(Rejection.DECRYPT_FAILED, e.rejection());
  }

  @Test
  void aTamperedPacketIsRejected() {
    PacketSecurity security = new PacketSecurity(Keyring.of(key(16, 3)), EncryptionMode.ENFORCED);
    byte[] sealed = security.wrap(MESSAGE);
    sealed[20] ^= 1;
    assertEquals(Rejection.DECRYPT_FAILED,
        assertThrows(RejectedPacketException.class, () -> security.unwrap(sealed)).rejection());
    byte[] truncated = java.util.Arrays.copyOf(security.wrap(MESSAGE), 20);
    assertEquals(Rejection.DECRYPT_FAILED,
        assertThrows(RejectedPacketException.class, () -> security.unwrap(truncated)).rejection());
  }

  @Test
  void rolloutAcceptsBothThenRefusesPlaintext() throws Exception {
    Keyring keys = Keyring.of(key(32, 9));
    PacketSecurity plain = new PacketSecurity(Keyring.empty(), EncryptionMode.PLAINTEXT);
    PacketSecurity member = new PacketSecurity(keys, new EncryptionMode(false, false));
    byte[] fromPlain = plain.wrap(MESSAGE);
    assertEquals(PacketSecurity.PLAINTEXT, fromPlain[0]);
    assertArrayEquals(MESSAGE, member.unwrap(fromPlain), "step 1: plaintext accepted");
    assertEquals(PacketSecurity.PLAINTEXT, member.wrap(MESSAGE)[0], "step 1: still sends plaintext");

    member.setMode(new EncryptionMode(true, false));
    assertEquals(PacketSecurity.AES_GCM_V1, member.wrap(MESSAGE)[0], "step 2: sends encrypted");
    assertArrayEquals(MESSAGE, member.unwrap(fromPlain), "step 2: still accepts plaintext");

    member.setMode(EncryptionMode.ENFORCED);
    assertEquals(Rejection.PLAINTEXT_REFUSED,
        assertThrows(RejectedPacketException.class, () -> member.unwrap(fromPlain)).rejection());
    assertEquals(Rejection.ENCRYPTED_WITHOUT_KEYS,
        assertThrows(RejectedPacketException.class, () -> plain.unwrap(member.wrap(MESSAGE))).rejection());
  }

  @Test
  void unknownFormatAndEmptyPacketsAreRejected() {
    PacketSecurity security = new PacketSecurity(Keyring.empty(), EncryptionMode.PLAINTEXT);
    assertEquals(Rejection.UNKNOWN_FORMAT,
        assertThrows(RejectedPacketException.class, () -> security.unwrap(new byte[] {7, 1, 2})).rejection());
    assertEquals(Rejection.EMPTY,
        assertThrows(RejectedPacketException.class, () -> security.unwrap(new byte[0])).rejection());
  }

  @Test
  void aModeNeedingAKeyIsRefusedWithoutOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PacketSecurity(Keyring.empty(), EncryptionMode.ENFORCED));
    assertTrue(e.getMessage().contains("keyring is empty"), e.getMessage());
  }
}
