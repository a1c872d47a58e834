package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ForwardRequest;
import dev.meshplane.proto.internal.v1.ForwardResponse;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One follower's long-lived stream of forwarded writes to one leader ({@code RaftService.ForwardStream}).
 * A write is a message on the open stream, not a call of its own, which saves the per-call HTTP/2
 * stream, headers and trailers on both servers. Answers are matched to writes by id.
 *
 * <p>When the stream breaks, every write still waiting fails UNAVAILABLE, as a unary call on a
 * broken connection would; the next write opens a new stream.
 */
final class ForwardStream {
    private final Map<Long, CompletableFuture<Consensus.Applied>> waiting = new ConcurrentHashMap<>();
    private final StreamObserver<ForwardRequest> requests;
    private long nextId = 1;
    private volatile boolean broken;

    ForwardStream(ManagedChannel channel) {
        this.requests = RaftServiceGrpc.newStub(channel).forwardStream(new StreamObserver<>() {
            @Override
            public void onNext(ForwardResponse r) {
                CompletableFuture<Consensus.Applied> f = waiting.remove(r.getId());
                if (f == null) {
                    return; // timed out meanwhile
                }
                if (r.getErrorCode() != 0) {
                    f.completeExceptionally(Status.fromCodeValue(r.getErrorCode())
                            .withDescription(r.getErrorMessage()).asRuntimeException());
                } else {
                    f.complete(new Consensus.Applied(r.getIndex(), ResultCodec.decode(r.getResult())));
                }
            }

            @Override
            public void onError(Throwable t) {
                breakWith(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                breakWith(Status.UNAVAILABLE.withDescription("the leader closed the forwarding stream"));
            }
        });
    }

    boolean broken() {
        return broken;
    }

    CompletableFuture<Consensus.Applied> forward(Command command, long timeoutSeconds) {
        CompletableFuture<Consensus.Applied> result = new CompletableFuture<>();
        long id;
        synchronized (this) {
            if (broken) {
                result.completeExceptionally(Status.UNAVAILABLE
                        .withDescription("the stream to the leader broke; retry").asRuntimeException());
                return result;
            }
            id = nextId++;
            waiting.put(id, result);
            // StreamObserver is not thread-safe: one writer at a time.
            requests.onNext(ForwardRequest.newBuilder().setId(id).setCommand(command.toByteString()).build());
        }
        return result.orTimeout(timeoutSeconds, TimeUnit.SECONDS).handle((applied, failure) -> {
            if (failure instanceof TimeoutException) {
                waiting.remove(id);
                throw Status.DEADLINE_EXCEEDED.withDescription("the leader did not answer a forwarded write within "
                        + timeoutSeconds + " s; its outcome is unknown").asRuntimeException();
            }
            if (failure != null) {
                throw failure instanceof RuntimeException re ? re : new IllegalStateException(failure);
            }
            return applied;
        });
    }

    private void breakWith(Status status) {
        synchronized (this) {
            // After this no write joins the waiting ones (forward checks under the same lock).
            broken = true;
        }
        Status failure = status.getCode() == Status.Code.OK || status.getCode() == Status.Code.CANCELLED
                ? Status.UNAVAILABLE.withDescription("the stream to the leader ended") : status;
        for (Long id : waiting.keySet()) {
            CompletableFuture<Consensus.Applied> f = waiting.remove(id);
            if (f != null) {
                f.completeExceptionally(failure.asRuntimeException());
            }
        }
    }

    void close() {
        synchronized (this) {
            if (!broken) {
                broken = true;
                requests.onCompleted();
            }
        }
        breakWith(Status.UNAVAILABLE.withDescription("this server is shutting down"));
    }
}
