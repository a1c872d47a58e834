package dev.meshplane.controlplane.cluster;

import dev.meshplane.api.ErrorMapping;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ForwardRequest;
import dev.meshplane.proto.internal.v1.ForwardResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The leader's end of one follower's {@code ForwardStream}: each request is proposed as a write
 * forwarded once (never forwarded again, so a stale hint cannot bounce it between followers), and
 * its answer is sent when it is applied, carrying the request's id.
 */
final class ForwardedWrites implements StreamObserver<ForwardRequest> {
    private final ReplicatedLog log;
    private final StreamObserver<ForwardResponse> responses;
    /** Writes proposed and not yet answered; guarded by {@code this}. */
    private int outstanding;
    /** The follower finished or the stream failed; guarded by {@code this}. */
    private boolean ended;
    private boolean completed;

    ForwardedWrites(ReplicatedLog log, StreamObserver<ForwardResponse> responses) {
        this.log = log;
        this.responses = responses;
    }

    @Override
    public void onNext(ForwardRequest request) {
        long id = request.getId();
        Command command;
        try {
            command = Command.parseFrom(request.getCommand());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            synchronized (this) {
                outstanding++;
            }
            answer(failure(id, Status.INVALID_ARGUMENT.withDescription("command: is not a command")));
            return;
        }
        synchronized (this) {
            outstanding++;
        }
        log.proposeAsLeader(command).whenComplete((applied, failure) -> answer(failure != null
                ? failure(id, ErrorMapping.toStatus(failure))
                : ForwardResponse.newBuilder().setId(id).setIndex(applied.index())
                        .setResult(ResultCodec.encode(applied.result())).build()));
    }

    private static ForwardResponse failure(long id, Status status) {
        return ForwardResponse.newBuilder().setId(id).setErrorCode(status.getCode().value())
                .setErrorMessage(status.getDescription() == null ? "" : status.getDescription()).build();
    }

    /** Answers come from whichever thread completes the write; the observer takes one at a time. */
    private synchronized void answer(ForwardResponse response) {
        outstanding--;
        if (completed) {
            return;
        }
        try {
            responses.onNext(response);
        } catch (IllegalStateException | io.grpc.StatusRuntimeException e) {
            // The call was cancelled meanwhile: the follower fails its waiting writes itself.
            completed = true;
            return;
        }
        maybeComplete();
    }

    @Override
    public synchronized void onError(Throwable t) {
        // The follower went away; its waiting writes fail on its side. Nothing more can be sent.
        ended = true;
        completed = true;
    }

    @Override
    public synchronized void onCompleted() {
        ended = true;
        maybeComplete();
    }

    private void maybeComplete() {
        if (ended && outstanding == 0 && !completed) {
            completed = true;
            responses.onCompleted();
        }
    }
}
