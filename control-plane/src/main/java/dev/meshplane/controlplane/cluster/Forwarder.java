package dev.meshplane.controlplane.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ForwardRequest;
import dev.meshplane.proto.internal.v1.ForwardResponse;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Hands a client's write to the leader and brings back its index and result. */
final class Forwarder implements AutoCloseable {
    /** A forwarded write gets as long as a client would wait for any write. */
    static final long TIMEOUT_SECONDS = 30;

    private final PeerTransport transport;

    Forwarder(PeerTransport transport) {
        this.transport = transport;
    }

    CompletableFuture<Consensus.Applied> forward(String leaderAddress, Command command) {
        CompletableFuture<Consensus.Applied> result = new CompletableFuture<>();
        var call = RaftServiceGrpc.newFutureStub(transport.channelTo(leaderAddress))
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forward(ForwardRequest.newBuilder().setCommand(command.toByteString()).build());
        Futures.addCallback(call, new FutureCallback<ForwardResponse>() {
            @Override
            public void onSuccess(ForwardResponse r) {
                result.complete(new Consensus.Applied(r.getIndex(), ResultCodec.decode(r.getResult())));
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    @Override
    public void close() {
        // Channels belong to the transport.
    }
}
