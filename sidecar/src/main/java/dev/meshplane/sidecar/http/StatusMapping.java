package dev.meshplane.sidecar.http;

import dev.meshplane.api.ErrorMapping;
import io.grpc.Status;

/**
 * The one place where failures become HTTP answers. gRPC codes map to the status codes Consul
 * uses for the same situations; the message is the gRPC description, which already names the
 * field at fault. Anything unexpected goes through {@link ErrorMapping} (logged under an
 * incident number) and is the only thing answered with 500 apart from "no leader".
 */
final class StatusMapping {
    private StatusMapping() {}

    static Reply toReply(Throwable failure) {
        Throwable t = ErrorMapping.unwrap(failure);
        if (t instanceof HttpError e) {
            return Reply.text(e.status(), e.getMessage()).withHeaders(e.headers());
        }
        Status status = ErrorMapping.toStatus(t);
        return Reply.text(httpStatus(status.getCode()), message(status));
    }

    static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            // A CAS or session precondition that failed, or a conflicting write.
            case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            // The client went away; nobody reads this answer.
            case CANCELLED -> 499;
            case UNIMPLEMENTED -> 501;
            case DEADLINE_EXCEEDED -> 504;
            // Consul answers a missing leader or unreachable servers with 500 and "No cluster leader".
            case UNAVAILABLE -> 500;
            case OK, UNKNOWN, INTERNAL, DATA_LOSS -> 500;
        };
    }

    private static String message(Status status) {
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        if (status.getCode() == Status.Code.UNAVAILABLE) {
            return description.toLowerCase().contains("leader")
                    ? "No cluster leader: " + description
                    : "No cluster leader reachable (servers unavailable: " + description + ")";
        }
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
            return "Rate limit reached, try again later: " + description;
        }
        return description;
    }
}
