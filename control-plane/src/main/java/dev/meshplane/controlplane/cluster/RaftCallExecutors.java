package dev.meshplane.controlplane.cluster;

import com.google.common.util.concurrent.MoreExecutors;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Where the server RPC port runs each call's handlers. Raft messages and forwarded writes, the
 * hot path of every write, are only queued for the Raft loop by their handlers, so they run on
 * the transport's event loop: no hand-off to gRPC's executor and back per message. Everything
 * else (snapshot installs write files; client API calls may wait) keeps the default executor.
 */
public final class RaftCallExecutors implements ServerCallExecutorSupplier {
    private static final Set<String> NON_BLOCKING = Set.of(
            RaftServiceGrpc.getSendMethod().getFullMethodName(),
            RaftServiceGrpc.getForwardStreamMethod().getFullMethodName());

    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
        return NON_BLOCKING.contains(call.getMethodDescriptor().getFullMethodName())
                ? MoreExecutors.directExecutor() : null;
    }
}
