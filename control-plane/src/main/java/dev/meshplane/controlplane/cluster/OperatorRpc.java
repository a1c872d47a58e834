package dev.meshplane.controlplane.cluster;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ErrorMapping;
import dev.meshplane.controlplane.raft.RaftStatus;
import dev.meshplane.proto.v1.ListRaftPeersRequest;
import dev.meshplane.proto.v1.ListRaftPeersResponse;
import dev.meshplane.proto.v1.OperatorGrpc;
import dev.meshplane.proto.v1.RaftPeer;
import dev.meshplane.proto.v1.RemoveRaftPeerRequest;
import dev.meshplane.proto.v1.RemoveRaftPeerResponse;
import dev.meshplane.proto.v1.TransferLeadershipRequest;
import dev.meshplane.proto.v1.TransferLeadershipResponse;
import io.grpc.stub.StreamObserver;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Operating the Raft cluster: list the peers (as this server sees them), remove one, hand over
 * leadership. Changes are made by the leader; a follower relays them to it.
 */
final class OperatorRpc extends OperatorGrpc.OperatorImplBase {
    private final ReplicatedLog log;

    OperatorRpc(ReplicatedLog log) {
        this.log = log;
    }

    @Override
    public void listRaftPeers(ListRaftPeersRequest request, StreamObserver<ListRaftPeersResponse> observer) {
        RaftStatus s = log.status();
        if (s == null) {
            throw ApiException.unavailable("this server has not joined a cluster yet");
        }
        ListRaftPeersResponse.Builder b = ListRaftPeersResponse.newBuilder().setTerm(s.term()).setCommitIndex(s.commit());
        TreeSet<String> ids = new TreeSet<>(s.membership().getVotersList());
        ids.addAll(s.membership().getLearnersList());
        for (String id : ids) {
            var progress = s.progress().get(id);
            b.addPeers(RaftPeer.newBuilder().setId(id).setAddress(log.addressBook().address(id).orElse(""))
                    .setLeader(id.equals(s.leader())).setVoter(s.membership().getVotersList().contains(id))
                    .setMatchIndex(progress == null ? 0 : progress.match()));
        }
        observer.onNext(b.build());
        observer.onCompleted();
    }

    @Override
    public void removeRaftPeer(RemoveRaftPeerRequest request, StreamObserver<RemoveRaftPeerResponse> observer) {
        String id = request.getId();
        if (id.isEmpty() && !request.getAddress().isEmpty()) {
            id = log.addressBook().idOf(request.getAddress()).orElseThrow(() -> ApiException.notFound(
                    "address: no server is known at " + request.getAddress()));
        }
        if (id.isEmpty()) {
            throw ApiException.invalidArgument("id", "give the server's id or address");
        }
        if (!log.view().isLeader()) {
            relay(observer, stub -> stub.removeRaftPeer(request));
            return;
        }
        log.membership().removeServer(id).whenComplete((index, failure) -> {
            if (failure != null) {
                observer.onError(ErrorMapping.toStatusException(failure));
            } else {
                observer.onNext(RemoveRaftPeerResponse.newBuilder().setIndex(index).build());
                observer.onCompleted();
            }
        });
    }

    @Override
    public void transferLeadership(TransferLeadershipRequest request,
                                   StreamObserver<TransferLeadershipResponse> observer) {
        if (!log.view().isLeader()) {
            relay(observer, stub -> stub.transferLeadership(request));
            return;
        }
        log.membership().transferLeadership(request.getTargetId()).whenComplete((target, failure) -> {
            if (failure != null) {
                observer.onError(ErrorMapping.toStatusException(failure));
            } else {
                observer.onNext(TransferLeadershipResponse.newBuilder().setNewLeaderId(target).build());
                observer.onCompleted();
            }
        });
    }

    private <T> void relay(StreamObserver<T> observer,
                           java.util.function.Function<OperatorGrpc.OperatorBlockingStub, T> call) {
        String leader = log.view().leaderAddress();
        if (leader.isEmpty()) {
            throw ApiException.unavailable("no cluster leader is known; retry shortly");
        }
        try {
            observer.onNext(call.apply(OperatorGrpc.newBlockingStub(log.transport().channelTo(leader))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)));
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(ErrorMapping.toStatusException(e));
        }
    }
}
