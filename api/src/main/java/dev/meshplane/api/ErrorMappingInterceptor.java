package dev.meshplane.api;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Catches what a service handler throws and closes the call with {@link ErrorMapping}'s
 * status. Without it grpc-java answers UNKNOWN with no description.
 */
public final class ErrorMappingInterceptor implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        AtomicBoolean closed = new AtomicBoolean();
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
            closeOnce(call, closed, ErrorMapping.toStatus(e));
            return new ServerCall.Listener<>() {};
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    closeOnce(call, closed, ErrorMapping.toStatus(e));
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    closeOnce(call, closed, ErrorMapping.toStatus(e));
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    closeOnce(call, closed, ErrorMapping.toStatus(e));
                }
            }
        };
    }

    private static void closeOnce(ServerCall<?, ?> call, AtomicBoolean closed, Status status) {
        if (closed.compareAndSet(false, true)) {
            try {
                call.close(status, new Metadata());
            } catch (IllegalStateException alreadyClosed) {
                // The handler closed the call before failing; the client already has its answer.
            }
        }
    }
}
