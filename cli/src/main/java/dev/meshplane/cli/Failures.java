package dev.meshplane.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.util.Locale;

/** Turns a failure into the one line a user reads on stderr. */
final class Failures {
    private Failures() {}

    static String describe(Throwable failure, String address) {
        if (failure instanceof StatusRuntimeException sre) {
            return describe(sre.getStatus(), address);
        }
        if (failure instanceof CliException || failure instanceof IllegalArgumentException) {
            return failure.getMessage();
        }
        String message = failure.getMessage();
        return message == null ? failure.toString() : message;
    }

    static String describe(Status status, String address) {
        Throwable cause = status.getCause();
        while (cause != null && !(cause instanceof ConnectException)) {
            cause = cause.getCause();
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && cause != null) {
            return "cannot reach the agent at " + address + ": connection refused (is `meshctl agent` running?)";
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer from " + address + " in time: " + status.getDescription();
        }
        String code = status.getCode().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String description = status.getDescription();
        return description == null ? code : code + ": " + description;
    }
}
