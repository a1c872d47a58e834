package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.KvRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.controlplane.watch.EncodedEvent;
import dev.meshplane.controlplane.watch.WatchHub;
import dev.meshplane.controlplane.watch.WatchMux;
import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchManyRequest;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * The Watch stream of the server role. Its responses are sent as pre-encoded bytes (the same
 * bytes to every subscriber of a topic), so the method is bound by hand with a marshaller that
 * writes them; on the wire it is the ordinary WatchEvent message.
 */
final class WatchRpc implements BindableService {
    private static final MethodDescriptor.Marshaller<EncodedEvent> ENCODED = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(EncodedEvent value) {
            return new ByteArrayInputStream(value.bytes());
        }

        @Override
        public EncodedEvent parse(InputStream stream) {
            throw new UnsupportedOperationException("the server only sends watch events");
        }
    };

    private final WatchHub hub;
    private final ApiLimits limits;

    WatchRpc(WatchHub hub, ApiLimits limits) {
        this.hub = hub;
        this.limits = limits;
    }

    @Override
    public ServerServiceDefinition bindService() {
        MethodDescriptor<WatchRequest, EncodedEvent> method = MethodDescriptor.<WatchRequest, EncodedEvent>newBuilder()
                .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
                .setFullMethodName(WatchGrpc.getWatchMethod().getFullMethodName())
                .setRequestMarshaller(ProtoUtils.marshaller(WatchRequest.getDefaultInstance()))
                .setResponseMarshaller(ENCODED)
                .build();
        MethodDescriptor<WatchManyRequest, EncodedEvent> many =
                MethodDescriptor.<WatchManyRequest, EncodedEvent>newBuilder()
                        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                        .setFullMethodName(WatchGrpc.getWatchManyMethod().getFullMethodName())
                        .setRequestMarshaller(ProtoUtils.marshaller(WatchManyRequest.getDefaultInstance()))
                        .setResponseMarshaller(ENCODED)
                        .build();
        return ServerServiceDefinition.builder(WatchGrpc.SERVICE_NAME)
                .addMethod(method, ServerCalls.asyncServerStreamingCall(this::watch))
                .addMethod(many, ServerCalls.asyncBidiStreamingCall(this::watchMany))
                .build();
    }

    void watch(WatchRequest request, StreamObserver<EncodedEvent> observer) {
        validate(request);
        hub.subscribe(request, (ServerCallStreamObserver<EncodedEvent>) observer);
    }

    StreamObserver<WatchManyRequest> watchMany(StreamObserver<EncodedEvent> observer) {
        WatchMux mux = hub.openMux((ServerCallStreamObserver<EncodedEvent>) observer);
        return new StreamObserver<>() {
            @Override
            public void onNext(WatchManyRequest r) {
                switch (r.getActionCase()) {
                    case OPEN -> {
                        try {
                            validate(r.getOpen().getRequest());
                            mux.open(r.getOpen().getWatchId(), r.getOpen().getRequest());
                        } catch (ApiException e) {
                            mux.reject(r.getOpen().getWatchId(), e.getMessage());
                        }
                    }
                    case CANCEL -> mux.cancel(r.getCancel());
                    case ACTION_NOT_SET -> mux.reject(0, "action: must be open or cancel");
                }
            }

            @Override
            public void onError(Throwable t) {
                mux.close();
            }

            @Override
            public void onCompleted() {
                mux.finish();
            }
        };
    }

    private void validate(WatchRequest request) {
        switch (request.getTopicCase()) {
            case SERVICE_HEALTH -> {
                NameRules.checkName("service_health.service", request.getServiceHealth().getService());
                for (int i = 0; i < request.getServiceHealth().getTagsCount(); i++) {
                    if (request.getServiceHealth().getTags(i).isEmpty()) {
                        throw ApiException.invalidArgument("service_health.tags[" + i + "]", "must not be empty");
                    }
                }
            }
            case KV_PREFIX -> KvRules.checkPrefix("kv_prefix.prefix", request.getKvPrefix().getPrefix(), limits);
            case SERVICE_LIST -> { }
            case TOPIC_NOT_SET -> throw ApiException.invalidArgument("topic",
                    "must be one of service_health, kv_prefix or service_list");
        }
    }
}
