package dev.meshplane.controlplane.rpc;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.proto.v1.LeaderRequest;
import dev.meshplane.proto.v1.LeaderResponse;
import dev.meshplane.proto.v1.PeersRequest;
import dev.meshplane.proto.v1.PeersResponse;
import dev.meshplane.proto.v1.StatusGrpc;
import io.grpc.stub.StreamObserver;

/** Who leads and who votes. */
final class StatusRpc extends StatusGrpc.StatusImplBase {
    private final Consensus consensus;

    StatusRpc(Consensus consensus) {
        this.consensus = consensus;
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        observer.onNext(LeaderResponse.newBuilder().setAddress(consensus.leaderAddress()).build());
        observer.onCompleted();
    }

    @Override
    public void peers(PeersRequest request, StreamObserver<PeersResponse> observer) {
        observer.onNext(PeersResponse.newBuilder().addAllAddresses(consensus.voters()).build());
        observer.onCompleted();
    }
}
