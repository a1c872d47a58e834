package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.QueryMeta;
import io.grpc.stub.StreamObserver;

/** The servers' ConnectCA.Roots as a blocking query whose answer never changes after the first. */
final class FakeRoots extends ConnectCAGrpc.ConnectCAImplBase {
    final String trustDomain;

    FakeRoots(String trustDomain) {
        this.trustDomain = trustDomain;
    }

    @Override
    public void roots(CaRootsRequest request, StreamObserver<CaRootsResponse> observer) {
        if (request.getOptions().getIndex() >= 1) {
            // Nothing will change: the call waits until the caller gives up or the test ends.
            return;
        }
        observer.onNext(CaRootsResponse.newBuilder().setActiveRootId("root-1").setTrustDomain(trustDomain)
                .setMeta(QueryMeta.newBuilder().setIndex(1)).build());
        observer.onCompleted();
    }
}
