package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import dev.meshplane.api.ServiceRules;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.DeregisterServiceRequest;
import dev.meshplane.proto.v1.DeregisterServiceResponse;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.ListLocalServicesResponse;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.RegisterServiceResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.WriteResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;

/**
 * The agent's own API: services registered here belong to this agent's node. A registration
 * is validated here, written to the catalog, and only then recorded locally, so the agent and
 * the catalog never disagree about what was accepted.
 */
public final class AgentRpc extends AgentGrpc.AgentImplBase {
    private final Node self;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final LocalServices local = new LocalServices();
    private final long writeTimeoutMillis;

    public AgentRpc(Node self, CatalogGrpc.CatalogBlockingStub catalog, long writeTimeoutMillis) {
        this.self = self;
        this.catalog = catalog;
        this.writeTimeoutMillis = writeTimeoutMillis;
    }

    @Override
    public void registerService(RegisterServiceRequest request, StreamObserver<RegisterServiceResponse> observer) {
        if (!request.hasService()) {
            throw ApiException.invalidArgument("service", "must be set");
        }
        if (request.getChecksCount() > 0) {
            throw ApiException.unimplemented(
                    "checks: this agent does not run health checks yet; register the service without checks");
        }
        Service service = ServiceRules.normalize("service", request.getService());
        WriteResponse written;
        // One registration at a time keeps the local view in the same order as the catalog's.
        synchronized (local) {
            written = catalog.withDeadlineAfter(writeTimeoutMillis, TimeUnit.MILLISECONDS)
                    .register(CatalogRegisterRequest.newBuilder().setNode(self).setService(service).build());
            local.put(service);
        }
        observer.onNext(RegisterServiceResponse.newBuilder().setServiceId(service.getId())
                .setIndex(written.getIndex()).build());
        observer.onCompleted();
    }

    @Override
    public void deregisterService(DeregisterServiceRequest request, StreamObserver<DeregisterServiceResponse> observer) {
        NameRules.checkId("service_id", request.getServiceId());
        WriteResponse written;
        synchronized (local) {
            if (local.get(request.getServiceId()).isEmpty()) {
                throw ApiException.notFound("service_id: \"" + request.getServiceId()
                        + "\" is not registered with this agent");
            }
            written = catalog.withDeadlineAfter(writeTimeoutMillis, TimeUnit.MILLISECONDS)
                    .deregister(CatalogDeregisterRequest.newBuilder().setNode(self.getName())
                            .setServiceId(request.getServiceId()).build());
            local.remove(request.getServiceId());
        }
        observer.onNext(DeregisterServiceResponse.newBuilder().setIndex(written.getIndex()).build());
        observer.onCompleted();
    }

    @Override
    public void listLocalServices(ListLocalServicesRequest request, StreamObserver<ListLocalServicesResponse> observer) {
        observer.onNext(ListLocalServicesResponse.newBuilder().addAllServices(local.all()).build());
        observer.onCompleted();
    }
}
