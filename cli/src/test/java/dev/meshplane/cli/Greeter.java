package dev.meshplane.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real gRPC server on loopback whose one method answers with the instance's name. */
final class Greeter implements AutoCloseable {
    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("meshtest.Greeter/Hello")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    final String name;
    final Server server;
    final AtomicInteger calls = new AtomicInteger();

    Greeter(String name) throws IOException {
        this.name = name;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(definition()).build().start();
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder("meshtest.Greeter")
                .addMethod(HELLO, ServerCalls.asyncUnaryCall((req, obs) -> {
                    calls.incrementAndGet();
                    obs.onNext(name);
                    obs.onCompleted();
                })).build();
    }

    int port() {
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    static String hello(Channel channel, long timeoutMillis) {
        return ClientCalls.blockingUnaryCall(channel, HELLO,
                CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS), "hi");
    }

    /** Waits for the channel to become ready (resolution, connection) instead of failing fast. */
    static String helloWhenReady(Channel channel, long timeoutMillis) {
        return ClientCalls.blockingUnaryCall(channel, HELLO, CallOptions.DEFAULT.withWaitForReady()
                .withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS), "hi");
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
