package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

/** Asserts that the CA refused, and with which kind of refusal. */
final class Refusals {
    private Refusals() {}

    static CaException refused(CaException.Kind kind, Executable action) {
        CaException e = assertThrows(CaException.class, action);
        assertEquals(kind, e.kind(), () -> "kind of: " + e.getMessage());
        return e;
    }
}
