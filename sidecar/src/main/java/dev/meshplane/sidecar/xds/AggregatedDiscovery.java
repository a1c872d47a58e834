package dev.meshplane.sidecar.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;

/** envoy.service.discovery.v3.AggregatedDiscoveryService, state of the world only. */
final class AggregatedDiscovery extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    private final XdsHub hub;
    private final XdsConfig config;
    private final Executor flushExecutor;

    AggregatedDiscovery(XdsHub hub, XdsConfig config, Executor flushExecutor) {
        this.hub = hub;
        this.config = config;
        this.flushExecutor = flushExecutor;
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> observer) {
        ServerCallStreamObserver<DiscoveryResponse> out = (ServerCallStreamObserver<DiscoveryResponse>) observer;
        AdsStream stream = new AdsStream(out, hub, config, flushExecutor);
        if (!hub.admit(stream)) {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("this sidecar already serves "
                    + config.maxStreams() + " xDS streams; retry later or raise the limit").asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(DiscoveryRequest value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        out.setOnCancelHandler(() -> stream.onError(Status.CANCELLED.asRuntimeException()));
        return stream;
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
            StreamObserver<DeltaDiscoveryResponse> observer) {
        observer.onError(Status.UNIMPLEMENTED.withDescription(
                "incremental (delta) xDS is not served; use state-of-the-world ADS, as grpc-java does").asRuntimeException());
        return new StreamObserver<>() {
            @Override
            public void onNext(DeltaDiscoveryRequest value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
