package dev.meshplane.ca;

/**
 * A CA operation refused for a reason the caller can act on. The {@link Kind} tells the
 * server role which gRPC status to answer with; the message names what was wrong.
 */
public final class CaException extends RuntimeException {
    /** Why the operation was refused; each maps to one gRPC status code. */
    public enum Kind {
        /** Malformed or out-of-policy input: a bad SPIFFE ID, CSR, PEM or TTL (INVALID_ARGUMENT). */
        INVALID_ARGUMENT,
        /** Well-formed, but the caller may not have it signed (PERMISSION_DENIED). */
        PERMISSION_DENIED,
        /** The CA's own state does not allow it, e.g. a root about to expire (FAILED_PRECONDITION). */
        FAILED_PRECONDITION
    }

    private final Kind kind;

    CaException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    CaException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    static CaException invalid(String message) {
        return new CaException(Kind.INVALID_ARGUMENT, message);
    }

    static CaException invalid(String message, Throwable cause) {
        return new CaException(Kind.INVALID_ARGUMENT, message, cause);
    }

    static CaException denied(String message) {
        return new CaException(Kind.PERMISSION_DENIED, message);
    }

    static CaException precondition(String message) {
        return new CaException(Kind.FAILED_PRECONDITION, message);
    }

    public Kind kind() {
        return kind;
    }
}
