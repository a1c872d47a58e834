package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.CheckRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.api.NodeRules;
import dev.meshplane.api.ServiceRules;
import dev.meshplane.controlplane.state.ServiceFilter;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.watch.WakeKeys;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.ChecksInStateRequest;
import dev.meshplane.proto.v1.ChecksResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ServiceChecksRequest;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.ListNodesRequest;
import dev.meshplane.proto.v1.ListNodesResponse;
import dev.meshplane.proto.v1.ListServicesRequest;
import dev.meshplane.proto.v1.ListServicesResponse;
import dev.meshplane.proto.v1.ServiceEntriesResponse;
import dev.meshplane.proto.v1.ServiceQuery;
import dev.meshplane.proto.v1.WriteResponse;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The catalog API of the server role: registration and every catalog query. */
final class CatalogRpc extends CatalogGrpc.CatalogImplBase {
    private final Writes writes;
    private final StateQueries queries;
    private final BlockingReads reads;

    CatalogRpc(Writes writes, StateQueries queries, BlockingReads reads) {
        this.writes = writes;
        this.queries = queries;
        this.reads = reads;
    }

    @Override
    public void register(CatalogRegisterRequest request, StreamObserver<WriteResponse> observer) {
        Command command = Command.newBuilder().setCatalogRegister(normalize(request)).build();
        writes.propose(command, observer, a -> WriteResponse.newBuilder().setIndex(a.index()).build());
    }

    static CatalogRegisterRequest normalize(CatalogRegisterRequest request) {
        if (!request.hasNode()) {
            throw ApiException.invalidArgument("node", "must be set");
        }
        CatalogRegisterRequest.Builder b = CatalogRegisterRequest.newBuilder()
                .setNode(NodeRules.normalize("node", request.getNode()));
        if (request.hasService()) {
            b.setService(ServiceRules.normalize("service", request.getService()));
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < request.getChecksCount(); i++) {
            var check = CheckRules.normalize("checks[" + i + "]", request.getChecks(i));
            if (!ids.add(check.getCheckId())) {
                throw ApiException.invalidArgument("checks[" + i + "].check_id",
                        "\"" + check.getCheckId() + "\" is listed twice");
            }
            b.addChecks(check);
        }
        return b.build();
    }

    @Override
    public void deregister(CatalogDeregisterRequest request, StreamObserver<WriteResponse> observer) {
        NameRules.checkName("node", request.getNode());
        if (!request.getServiceId().isEmpty() && !request.getCheckId().isEmpty()) {
            throw ApiException.invalidArgument("check_id", "give either service_id or check_id, not both");
        }
        if (!request.getServiceId().isEmpty()) {
            NameRules.checkId("service_id", request.getServiceId());
        }
        if (!request.getCheckId().isEmpty()) {
            NameRules.checkId("check_id", request.getCheckId());
        }
        Command command = Command.newBuilder().setCatalogDeregister(request).build();
        writes.propose(command, observer, a -> WriteResponse.newBuilder().setIndex(a.index()).build());
    }

    @Override
    public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> observer) {
        reads.serve(request.getOptions(), List.of(WakeKeys.SERVICES), queries::services,
                (r, meta) -> ListServicesResponse.newBuilder().addAllServices(r.value()).setMeta(meta).build(),
                observer);
    }

    @Override
    public void listServiceInstances(ServiceQuery request, StreamObserver<ServiceEntriesResponse> observer) {
        serveEntries(request, false, observer);
    }

    @Override
    public void serviceHealth(ServiceQuery request, StreamObserver<ServiceEntriesResponse> observer) {
        serveEntries(request, true, observer);
    }

    private void serveEntries(ServiceQuery request, boolean withChecks, StreamObserver<ServiceEntriesResponse> observer) {
        NameRules.checkName("service", request.getService());
        for (int i = 0; i < request.getTagsCount(); i++) {
            if (request.getTags(i).isEmpty()) {
                throw ApiException.invalidArgument("tags[" + i + "]", "must not be empty");
            }
        }
        ServiceFilter filter = new ServiceFilter(request.getTagsList(), request.getNodeMetaMap(), request.getPassingOnly());
        reads.serve(request.getOptions(), List.of(WakeKeys.service(request.getService())),
                () -> queries.serviceEntries(request.getService(), filter, withChecks),
                (r, meta) -> ServiceEntriesResponse.newBuilder().addAllEntries(r.value()).setMeta(meta).build(),
                observer);
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> observer) {
        reads.serve(request.getOptions(), List.of(WakeKeys.NODES), () -> queries.nodes(request.getNodeMetaMap()),
                (r, meta) -> ListNodesResponse.newBuilder().addAllNodes(r.value()).setMeta(meta).build(),
                observer);
    }

    @Override
    public void checksInState(ChecksInStateRequest request, StreamObserver<ChecksResponse> observer) {
        if (request.getState() == HealthStatus.UNRECOGNIZED) {
            throw ApiException.invalidArgument("state", "unknown state " + request.getStateValue());
        }
        reads.serve(request.getOptions(), List.of(WakeKeys.CHECKS), () -> queries.checksInState(request.getState()),
                (r, meta) -> ChecksResponse.newBuilder().addAllChecks(r.value()).setMeta(meta).build(), observer);
    }

    @Override
    public void serviceChecks(ServiceChecksRequest request, StreamObserver<ChecksResponse> observer) {
        NameRules.checkName("service", request.getService());
        reads.serve(request.getOptions(), List.of(WakeKeys.service(request.getService())),
                () -> queries.serviceEntries(request.getService(), ServiceFilter.ALL, true),
                (r, meta) -> {
                    ChecksResponse.Builder b = ChecksResponse.newBuilder().setMeta(meta);
                    r.value().forEach(e -> e.getChecksList().stream()
                            .filter(c -> c.getServiceId().equals(e.getService().getId())).forEach(b::addChecks));
                    return b.build();
                }, observer);
    }

    @Override
    public void getNode(GetNodeRequest request, StreamObserver<GetNodeResponse> observer) {
        NameRules.checkName("node", request.getNode());
        reads.serve(request.getOptions(), List.of(WakeKeys.node(request.getNode())),
                () -> queries.node(request.getNode()),
                (r, meta) -> r.value().map(GetNodeResponse::toBuilder).orElseGet(GetNodeResponse::newBuilder)
                        .setMeta(meta).build(),
                observer);
    }
}
