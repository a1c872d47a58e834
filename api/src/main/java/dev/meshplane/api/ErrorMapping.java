package dev.meshplane.api;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become gRPC statuses. Known failures keep their code and
 * message; anything unexpected is logged with its stack trace under an incident number and
 * the client sees INTERNAL with that number, never UNKNOWN and never a stack trace.
 */
public final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());
    private static final AtomicLong INCIDENTS = new AtomicLong();

    private ErrorMapping() {}

    public static Status toStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ApiException api) {
            return Status.fromCode(api.code()).withDescription(api.getMessage());
        }
        if (t instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (t instanceof StatusException se) {
            return se.getStatus();
        }
        if (t instanceof CancellationException) {
            return Status.CANCELLED.withDescription("request cancelled");
        }
        long incident = INCIDENTS.incrementAndGet();
        LOG.log(Level.SEVERE, "internal error, incident " + incident, t);
        return Status.INTERNAL.withDescription("internal error (incident " + incident + " in the server log)");
    }

    public static StatusRuntimeException toStatusException(Throwable failure) {
        return toStatus(failure).asRuntimeException();
    }

    /** Strips the wrappers that futures and executors put around the real failure. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
