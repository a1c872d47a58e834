package dev.meshplane.sidecar.gossip.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyringTest {
  private final String k1 = Keygen.generate();
  private final String k2 = Keygen.generate();

  @Test
  void keygenMakesDistinct32ByteKeys() {
    assertEquals(32, Base64.getDecoder().decode(k1).length);
    assertNotEquals(k1, k2);
  }

  @Test
  void installUseRemoveList() {
    Keyring ring = Keyring.of(k1);
    assertEquals(List.of(k1), ring.list());
    ring.install(k2);
    ring.install(k2);
    assertEquals(List.of(k1, k2), ring.list(), "install is idempotent, primary stays first");
    ring.use(k2);
    assertEquals(List.of(k2, k1), ring.list());
    ring.remove(k1);
    assertEquals(List.of(k2), ring.list());
  }

  @Test
  void thePrimaryKeyCannotBeRemoved() {
    Keyring ring = Keyring.of(k1, k2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.remove(k1));
    assertTrue(e.getMessage().contains("primary"), e.getMessage());
  }

  @Test
  void onlyAnInstalledKeyCanBeUsedOrRemoved() {
    Keyring ring = Keyring.of(k1);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ring.use(k2)).getMessage().contains("not installed"));
    assertThrows(IllegalArgumentException.class, () -> ring.remove(k2));
  }

  @Test
  void badKeysAreRejectedNamingTheProblem() {
    String tenBytes = Base64.getEncoder().encodeToString(new byte[10]);
    IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class, () -> Keyring.of(tenBytes));
    assertTrue(wrongLength.getMessage().contains("10 bytes") && wrongLength.getMessage().contains("16, 24 or 32"),
        wrongLength.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Keyring.of("not base64!"))
        .getMessage().contains("base64"));
    assertThrows(IllegalArgumentException.class, () -> Keyring.of(""));
  }

  @Test
  void theKeyringIsBounded() {
    Keyring ring = Keyring.of(k1);
    for (int i = 1; i < Keyring.MAX_KEYS; i++) {
      ring.install(Keygen.generate());
    }
    assertThrows(IllegalArgumentException.class, () -> ring.install(Keygen.generate()));
  }
}
