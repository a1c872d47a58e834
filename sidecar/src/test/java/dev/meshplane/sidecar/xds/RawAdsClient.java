package dev.meshplane.sidecar.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A hand-driven ADS client: sends exactly the requests a test writes and queues every response. */
final class RawAdsClient implements AutoCloseable {
    final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    volatile Throwable error;
    private final StreamObserver<DiscoveryRequest> requests;
    private final String nodeId;

    private final Map<String, String> metadata;

    RawAdsClient(Channel channel, String nodeId) {
        this(channel, nodeId, Map.of());
    }

    /** With node metadata, as a bootstrap sets it (MESH_SERVICE, MESH_CERTIFICATE_PROVIDER). */
    RawAdsClient(Channel channel, String nodeId, Map<String, String> metadata) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
            @Override
            public void onNext(DiscoveryResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                error = t;
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    void subscribe(ResourceType type, List<String> names) {
        send(DiscoveryRequest.newBuilder().setTypeUrl(type.typeUrl).addAllResourceNames(names)
                .setNode(node()).build());
    }

    private Node node() {
        Struct.Builder meta = Struct.newBuilder();
        metadata.forEach((k, v) -> meta.putFields(k, Value.newBuilder().setStringValue(v).build()));
        return Node.newBuilder().setId(nodeId).setMetadata(meta).build();
    }

    void ack(DiscoveryResponse r, List<String> names) {
        send(DiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).setVersionInfo(r.getVersionInfo())
                .setResponseNonce(r.getNonce()).addAllResourceNames(names).build());
    }

    void nack(DiscoveryResponse r, String keptVersion, List<String> names, String why) {
        send(DiscoveryRequest.newBuilder().setTypeUrl(r.getTypeUrl()).setVersionInfo(keptVersion)
                .setResponseNonce(r.getNonce()).addAllResourceNames(names)
                .setErrorDetail(Status.newBuilder().setCode(3).setMessage(why)).build());
    }

    void send(DiscoveryRequest r) {
        synchronized (requests) {
            requests.onNext(r);
        }
    }

    DiscoveryResponse next() throws InterruptedException {
        DiscoveryResponse r = responses.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no response within 5 s" + (error == null ? "" : "; stream failed: " + error));
        }
        return r;
    }

    /** Null when nothing arrives within the time. */
    DiscoveryResponse poll(long millis) throws InterruptedException {
        return responses.poll(millis, TimeUnit.MILLISECONDS);
    }

    static <T extends com.google.protobuf.Message> T unpack(DiscoveryResponse r, int i, Class<T> type) {
        try {
            return r.getResources(i).unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        synchronized (requests) {
            requests.onCompleted();
        }
    }
}
