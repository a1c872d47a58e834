package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ErrorMapping;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.Command;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;

/** Proposes a command and answers the client once it is applied. */
final class Writes {
    private final Consensus consensus;

    Writes(Consensus consensus) {
        this.consensus = consensus;
    }

    <A> void propose(Command command, StreamObserver<A> observer, Function<Consensus.Applied, A> answer) {
        consensus.propose(command).whenComplete((applied, failure) -> {
            if (failure != null) {
                observer.onError(ErrorMapping.toStatusException(failure));
            } else if (applied.result() instanceof ApplyResult.Rejected rejected) {
                observer.onError(rejected.reason().toStatusException());
            } else {
                try {
                    observer.onNext(answer.apply(applied));
                    observer.onCompleted();
                } catch (RuntimeException e) {
                    observer.onError(ErrorMapping.toStatusException(e));
                }
            }
        });
    }

    /** Whether a conditional write took effect; unconditional writes always do. */
    static boolean applied(Consensus.Applied applied) {
        return !(applied.result() instanceof ApplyResult.Conditional c) || c.applied();
    }
}
