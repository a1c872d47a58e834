package dev.meshplane.controlplane.cluster;

import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.AppliedResult;
import dev.meshplane.proto.internal.v1.Rejection;
import dev.meshplane.proto.internal.v1.TxnOutcome;
import io.grpc.Status;

/** ApplyResult to and from the wire, for writes a follower forwards to the leader. */
final class ResultCodec {
    private ResultCodec() {}

    static AppliedResult encode(ApplyResult result) {
        return switch (result) {
            case ApplyResult.Done d -> AppliedResult.newBuilder().setDone(true).build();
            case ApplyResult.Conditional c -> AppliedResult.newBuilder().setConditionalApplied(c.applied()).build();
            case ApplyResult.Rejected r -> AppliedResult.newBuilder().setRejected(Rejection.newBuilder()
                    .setCode(r.reason().code().value()).setMessage(r.reason().getMessage())).build();
            case ApplyResult.Txn t -> AppliedResult.newBuilder().setTxn(TxnOutcome.newBuilder().setApplied(t.applied())
                    .addAllResults(t.results()).addAllErrors(t.errors())).build();
        };
    }

    static ApplyResult decode(AppliedResult wire) {
        return switch (wire.getResultCase()) {
            case DONE -> ApplyResult.DONE;
            case CONDITIONAL_APPLIED -> new ApplyResult.Conditional(wire.getConditionalApplied());
            case REJECTED -> new ApplyResult.Rejected(ApiException.of(
                    Status.fromCodeValue(wire.getRejected().getCode()).getCode(), wire.getRejected().getMessage()));
            case TXN -> new ApplyResult.Txn(wire.getTxn().getApplied(), wire.getTxn().getResultsList(),
                    wire.getTxn().getErrorsList());
            case RESULT_NOT_SET -> throw new IllegalArgumentException("forwarded result carries nothing");
        };
    }
}
