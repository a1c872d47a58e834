package dev.meshplane.sidecar.http;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;

/** Bridges gRPC future stubs to CompletableFuture, cancelling the call when the HTTP client leaves. */
final class Calls {
    private Calls() {}

    static <T> CompletableFuture<T> of(Request request, ListenableFuture<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        request.onCancel(() -> call.cancel(true));
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(T value) {
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }
}
