package dev.meshplane.sidecar.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves a service by relaying each call's bytes to the servers unchanged: the agent's
 * port offers the whole public API without a second implementation of it. Deadlines and
 * cancellation carry over because the upstream call is made in the caller's gRPC context.
 */
public final class Forwarding {
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

    private Forwarding() {}

    public static ServerServiceDefinition forward(ServiceDescriptor service, Channel upstream) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getName());
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(method.getType())
                    .setFullMethodName(method.getFullMethodName())
                    .setRequestMarshaller(BYTES)
                    .setResponseMarshaller(BYTES)
                    .build();
            switch (method.getType()) {
                case UNARY -> b.addMethod(raw, ServerCalls.asyncUnaryCall((request, observer) ->
                        ClientCalls.asyncUnaryCall(upstream.newCall(raw, CallOptions.DEFAULT), request, observer)));
                case SERVER_STREAMING -> b.addMethod(raw, ServerCalls.asyncServerStreamingCall((request, observer) ->
                        ClientCalls.asyncServerStreamingCall(upstream.newCall(raw, CallOptions.DEFAULT), request,
                                observer)));
                case CLIENT_STREAMING -> b.addMethod(raw, ServerCalls.asyncClientStreamingCall(observer ->
                        ClientCalls.asyncClientStreamingCall(upstream.newCall(raw, CallOptions.DEFAULT), observer)));
                default -> throw new IllegalArgumentException("cannot forward " + method.getType() + " method "
                        + method.getFullMethodName());
            }
        }
        return b.build();
    }
}
