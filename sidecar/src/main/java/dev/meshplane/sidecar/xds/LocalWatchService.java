package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.WatchGrpc;
import dev.meshplane.proto.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;

/**
 * The Watch service on the agent's port. Service-health and service-list topics are served from
 * the sidecar's shared upstream watches (one stream per topic to the servers however many
 * applications watch it); KV prefixes are relayed to the servers call by call. On the wire both
 * are the ordinary WatchEvent stream: the shared events are handed out as the bytes encoded once.
 * WatchMany streams are relayed to the servers unchanged.
 */
public final class LocalWatchService {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<WatchRequest, byte[]> METHOD = MethodDescriptor.<WatchRequest, byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(WatchGrpc.getWatchMethod().getFullMethodName())
            .setRequestMarshaller(ProtoUtils.marshaller(WatchRequest.getDefaultInstance()))
            .setResponseMarshaller(BYTES)
            .build();
    private static final MethodDescriptor<byte[], byte[]> MANY = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(WatchGrpc.getWatchManyMethod().getFullMethodName())
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private final UpstreamWatches upstream;
    private final Channel servers;
    private final Executor executor;
    private final int maxPending;

    LocalWatchService(UpstreamWatches upstream, Channel servers, Executor executor, int maxPending) {
        this.upstream = upstream;
        this.servers = servers;
        this.executor = executor;
        this.maxPending = maxPending;
    }

    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(WatchGrpc.SERVICE_NAME)
                .addMethod(METHOD, ServerCalls.asyncServerStreamingCall(this::watch))
                .addMethod(MANY, ServerCalls.asyncBidiStreamingCall(this::watchMany))
                .build();
    }

    /** WatchMany is relayed to the servers as it is, message for message, and cancelled with its client. */
    private StreamObserver<byte[]> watchMany(StreamObserver<byte[]> observer) {
        StreamObserver<byte[]> upstream = ClientCalls.asyncBidiStreamingCall(
                servers.newCall(MANY, CallOptions.DEFAULT), observer);
        ((ServerCallStreamObserver<byte[]>) observer).setOnCancelHandler(
                () -> upstream.onError(io.grpc.Status.CANCELLED.withDescription("client went away").asRuntimeException()));
        return upstream;
    }

    private void watch(WatchRequest request, StreamObserver<byte[]> observer) {
        if (request.getTopicCase() != WatchRequest.TopicCase.SERVICE_HEALTH
                && request.getTopicCase() != WatchRequest.TopicCase.SERVICE_LIST) {
            // KV prefixes (and malformed requests, which the servers answer) go through unchanged.
            ClientCalls.asyncServerStreamingCall(servers.newCall(METHOD, CallOptions.DEFAULT), request, observer);
            return;
        }
        ServerCallStreamObserver<byte[]> out = (ServerCallStreamObserver<byte[]>) observer;
        LocalWatchSubscriber subscriber = new LocalWatchSubscriber(out, executor, maxPending);
        out.setOnReadyHandler(subscriber::onReady);
        out.setOnCancelHandler(subscriber::cancelled);
        UpstreamWatches.Subscription s = upstream.subscribe(request, subscriber);
        subscriber.onClose(s::close);
    }
}
