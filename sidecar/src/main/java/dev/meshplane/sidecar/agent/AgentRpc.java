package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.DeregisterCheckRequest;
import dev.meshplane.proto.v1.DeregisterCheckResponse;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.DeregisterServiceResponse;
import dev.meshplane.proto.v1.ListLocalChecksRequest;
import dev.meshplane.proto.v1.ListLocalChecksResponse;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.ListLocalServicesResponse;
import dev.meshplane.proto.v1.RegisterCheckRequest;
import dev.meshplane.proto.v1.RegisterCheckResponse;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.ReloadRequest;
import dev.meshplane.proto.v1.ReloadResponse;
import dev.meshplane.proto.v1.SetMaintenanceRequest;
import dev.meshplane.proto.v1.SetMaintenanceResponse;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import dev.meshplane.proto.v1.UpdateTtlResponse;
import dev.meshplane.proto.v1.JoinRequest;
import dev.meshplane.proto.v1.JoinResponse;
import dev.meshplane.proto.v1.KeyringRequest;
import dev.meshplane.proto.v1.KeyringResponse;
import dev.meshplane.proto.v1.LeaveRequest;
import dev.meshplane.proto.v1.LeaveResponse;
import dev.meshplane.proto.v1.MembersRequest;
import dev.meshplane.proto.v1.MembersResponse;
import dev.meshplane.sidecar.membership.Membership;
import io.grpc.stub.StreamObserver;

/**
 * The agent's own API: services and checks registered here belong to this agent's node. A
 * change is validated, applied locally, persisted, and then pushed to the catalog; the answer
 * says whether the catalog already has it (synced, with its index) or whether the servers
 * could not be reached in time, in which case anti-entropy delivers it when they return.
 */
public final class AgentRpc extends AgentGrpc.AgentImplBase {
    private final LocalAgent agent;
    private final Membership membership;

    public AgentRpc(LocalAgent agent) {
        this(agent, new Membership());
    }

    /** @param membership the gossip calls (Members, Join, Leave, Keyring) */
    public AgentRpc(LocalAgent agent, Membership membership) {
        this.agent = agent;
        this.membership = membership;
    }

    @Override
    public void members(MembersRequest request, StreamObserver<MembersResponse> observer) {
        observer.onNext(membership.members(request.getWan()));
        observer.onCompleted();
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> observer) {
        observer.onNext(membership.join(request));
        observer.onCompleted();
    }

    @Override
    public void leave(LeaveRequest request, StreamObserver<LeaveResponse> observer) {
        membership.leave();
        observer.onNext(LeaveResponse.getDefaultInstance());
        observer.onCompleted();
    }

    @Override
    public void keyring(KeyringRequest request, StreamObserver<KeyringResponse> observer) {
        observer.onNext(membership.keyring(request));
        observer.onCompleted();
    }

    @Override
    public void registerService(RegisterServiceRequest request, StreamObserver<RegisterServiceResponse> observer) {
        if (!request.hasService()) {
            throw ApiException.invalidArgument("service", "must be set");
        }
        LocalAgent.Change c = agent.registerService(request.getService(), request.getChecksList(),
                request.getReplaceExistingChecks(), Source.API);
        observer.onNext(RegisterServiceResponse.newBuilder().setServiceId(c.id()).setIndex(c.index())
                .setSynced(c.synced()).build());
        observer.onCompleted();
    }

    @Override
    public void deregisterService(DeregisterServiceRequest request, StreamObserver<DeregisterServiceResponse> observer) {
        LocalAgent.Change c = agent.deregisterService(request.getServiceId());
        observer.onNext(DeregisterServiceResponse.newBuilder().setIndex(c.index()).setSynced(c.synced()).build());
        observer.onCompleted();
    }

    @Override
    public void listLocalServices(ListLocalServicesRequest request, StreamObserver<ListLocalServicesResponse> observer) {
        observer.onNext(ListLocalServicesResponse.newBuilder().addAllServices(agent.services()).build());
        observer.onCompleted();
    }

    @Override
    public void registerCheck(RegisterCheckRequest request, StreamObserver<RegisterCheckResponse> observer) {
        if (!request.hasCheck()) {
            throw ApiException.invalidArgument("check", "must be set");
        }
        LocalAgent.Change c = agent.registerCheck(request.getCheck(), Source.API);
        observer.onNext(RegisterCheckResponse.newBuilder().setCheckId(c.id()).setIndex(c.index())
                .setSynced(c.synced()).build());
        observer.onCompleted();
    }

    @Override
    public void deregisterCheck(DeregisterCheckRequest request, StreamObserver<DeregisterCheckResponse> observer) {
        LocalAgent.Change c = agent.deregisterCheck(request.getCheckId());
        observer.onNext(DeregisterCheckResponse.newBuilder().setIndex(c.index()).setSynced(c.synced()).build());
        observer.onCompleted();
    }

    @Override
    public void updateTtl(UpdateTtlRequest request, StreamObserver<UpdateTtlResponse> observer) {
        agent.updateTtl(request.getCheckId(), request.getStatus(), request.getOutput());
        observer.onNext(UpdateTtlResponse.getDefaultInstance());
        observer.onCompleted();
    }

    @Override
    public void listLocalChecks(ListLocalChecksRequest request, StreamObserver<ListLocalChecksResponse> observer) {
        observer.onNext(ListLocalChecksResponse.newBuilder().addAllChecks(agent.checks()).build());
        observer.onCompleted();
    }

    @Override
    public void setMaintenance(SetMaintenanceRequest request, StreamObserver<SetMaintenanceResponse> observer) {
        LocalAgent.Change c = agent.setMaintenance(request.getServiceId(), request.getEnable(), request.getReason());
        observer.onNext(SetMaintenanceResponse.newBuilder().setCheckId(c.id()).setIndex(c.index())
                .setSynced(c.synced()).build());
        observer.onCompleted();
    }

    @Override
    public void reload(ReloadRequest request, StreamObserver<ReloadResponse> observer) {
        observer.onNext(agent.reload());
        observer.onCompleted();
    }
}
