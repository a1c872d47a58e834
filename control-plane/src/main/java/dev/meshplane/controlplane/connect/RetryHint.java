package dev.meshplane.controlplane.connect;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** RESOURCE_EXHAUSTED with a retry hint, in the description and as trailing metadata. */
public final class RetryHint {
    /** Milliseconds to wait before retrying, as a decimal string. */
    public static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

    private RetryHint() {}

    static StatusRuntimeException exhausted(String what, Duration retryAfter) {
        Metadata trailers = new Metadata();
        trailers.put(RETRY_AFTER_MS, Long.toString(retryAfter.toMillis()));
        return Status.RESOURCE_EXHAUSTED.withDescription(what + "; retry after " + retryAfter.toMillis() + " ms")
                .asRuntimeException(trailers);
    }
}
