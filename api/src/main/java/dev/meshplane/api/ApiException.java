package dev.meshplane.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A failure a client can act on: it carries the gRPC status code and a message naming
 * what was wrong. Everything the server rejects is raised as one of these, so the mapping
 * to gRPC (and, later, HTTP) happens in one place: {@link ErrorMapping}.
 */
public final class ApiException extends RuntimeException {
    private final Status.Code code;

    private ApiException(Status.Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The request named a bad value; {@code field} is its name in the API. */
    public static ApiException invalidArgument(String field, String problem) {
        return new ApiException(Status.Code.INVALID_ARGUMENT, field + ": " + problem);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Status.Code.NOT_FOUND, message);
    }

    /** The request was well-formed but the state does not allow it (e.g. a CAS mismatch). */
    public static ApiException failedPrecondition(String message) {
        return new ApiException(Status.Code.FAILED_PRECONDITION, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(Status.Code.UNAVAILABLE, message);
    }

    /** The outcome of a write is unknown (it may or may not have been applied): not safe to retry blindly. */
    public static ApiException aborted(String message) {
        return new ApiException(Status.Code.ABORTED, message);
    }

    public static ApiException resourceExhausted(String message) {
        return new ApiException(Status.Code.RESOURCE_EXHAUSTED, message);
    }

    public static ApiException unimplemented(String message) {
        return new ApiException(Status.Code.UNIMPLEMENTED, message);
    }

    /** Rebuilds an exception that crossed the wire (a forwarded write's refusal). */
    public static ApiException of(Status.Code code, String message) {
        return new ApiException(code, message);
    }

    public Status.Code code() {
        return code;
    }

    public StatusRuntimeException toStatusException() {
        return Status.fromCode(code).withDescription(getMessage()).asRuntimeException();
    }
}
