package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.log.Consensus;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends a call that only the leader may serve (CSR signing, rotation) to the leader's server
 * RPC port. A forwarded call is marked, and a server that receives a marked call but does not
 * lead refuses it instead of forwarding again, so calls never circle during an election.
 */
final class LeaderForwarding implements AutoCloseable {
    static final Metadata.Key<String> FORWARDED = Metadata.Key.of("meshplane-forwarded", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Boolean> WAS_FORWARDED = Context.key("meshplane-forwarded");
    /** A forwarded call without a deadline of its own gets this one. */
    private static final long DEFAULT_DEADLINE_SECONDS = 30;

    private final Consensus consensus;
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    LeaderForwarding(Consensus consensus) {
        this.consensus = consensus;
    }

    /** Marks calls that another server forwarded here. */
    static ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                Context ctx = Context.current().withValue(WAS_FORWARDED, headers.containsKey(FORWARDED));
                return Contexts.interceptCall(ctx, call, headers, next);
            }
        };
    }

    <Q, A> void forward(MethodDescriptor<Q, A> method, Q request, StreamObserver<A> observer) {
        if (Boolean.TRUE.equals(WAS_FORWARDED.get())) {
            throw ApiException.unavailable("this server was forwarded a leader-only call but is not the leader"
                    + " (an election is under way?); retry");
        }
        String leader = consensus.leaderAddress();
        if (leader.isEmpty()) {
            throw ApiException.unavailable("no cluster leader is known; retry");
        }
        ManagedChannel channel = channels.computeIfAbsent(leader, a -> NettyChannelBuilder.forTarget(a)
                .usePlaintext().build());
        Metadata marker = new Metadata();
        marker.put(FORWARDED, "1");
        CallOptions options = CallOptions.DEFAULT;
        var deadline = Context.current().getDeadline();
        options = deadline != null ? options.withDeadline(deadline)
                : options.withDeadlineAfter(DEFAULT_DEADLINE_SECONDS, TimeUnit.SECONDS);
        var call = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(marker))
                .newCall(method, options);
        ClientCalls.asyncUnaryCall(call, request, observer);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
