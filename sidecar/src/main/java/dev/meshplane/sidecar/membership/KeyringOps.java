package dev.meshplane.sidecar.membership;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.KeyringMemberResult;
import dev.meshplane.proto.v1.KeyringOp;
import dev.meshplane.proto.v1.KeyringRequest;
import dev.meshplane.proto.v1.KeyringResponse;
import dev.meshplane.sidecar.gossip.GossipAgent;
import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.MemberStatus;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Keyring operations across a pool. We fan out rather than gossip the operation: the agent
 * that is asked calls the Keyring RPC (local only) on every alive member's agent gRPC API, at
 * the member's gossip host and the port in its {@code grpc_port} tag, in parallel, and reports
 * one result per member. A member whose API cannot be reached (e.g. it listens on 127.0.0.1 of
 * another host) is reported as failed; the operation is not retried.
 */
final class KeyringOps {
    /** How long one member gets to answer. */
    static final long MEMBER_TIMEOUT_SECONDS = 5;

    private KeyringOps() {}

    static void check(KeyringRequest r) {
        if (r.getOp() == KeyringOp.KEYRING_OP_UNSPECIFIED || r.getOp() == KeyringOp.UNRECOGNIZED) {
            throw ApiException.invalidArgument("op", "give list, install, use or remove");
        }
        if (r.getOp() == KeyringOp.KEYRING_OP_LIST) {
            return;
        }
        if (r.getKey().isEmpty()) {
            throw ApiException.invalidArgument("key", "a base64 key is needed to " + opName(r.getOp()));
        }
        try {
            Keyring.decode(r.getKey());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidArgument("key", e.getMessage());
        }
    }

    static String opName(KeyringOp op) {
        return op.name().substring("KEYRING_OP_".length()).toLowerCase(java.util.Locale.ROOT);
    }

    static KeyringMemberResult applyLocally(GossipAgent pool, KeyringRequest r) {
        KeyringMemberResult.Builder out = KeyringMemberResult.newBuilder().setNode(pool.local().name());
        Keyring ring = pool.keyring();
        try {
            switch (r.getOp()) {
                case KEYRING_OP_INSTALL -> ring.install(r.getKey());
                case KEYRING_OP_USE -> ring.use(r.getKey());
                case KEYRING_OP_REMOVE -> ring.remove(r.getKey());
                default -> { }
            }
            return out.setOk(true).addAllKeys(ring.list()).build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return out.setOk(false).setError(e.getMessage()).addAllKeys(ring.list()).build();
        }
    }

    static KeyringResponse fanOut(GossipAgent pool, KeyringRequest r) {
        KeyringRequest local = r.toBuilder().setLocalOnly(true).build();
        String self = pool.local().name();
        List<Member> alive = pool.members().stream()
                .filter(m -> m.status() == MemberStatus.ALIVE || m.status() == MemberStatus.SUSPECT)
                .sorted(Comparator.comparing(Member::name)).toList();
        List<Future<KeyringMemberResult>> results = new ArrayList<>();
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Member m : alive) {
                results.add(calls.submit(() -> m.name().equals(self) ? applyLocally(pool, local) : remote(m, local)));
            }
            KeyringResponse.Builder out = KeyringResponse.newBuilder();
            for (Future<KeyringMemberResult> f : results) {
                out.addResults(f.get());
            }
            return out.build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while asking the members");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static KeyringMemberResult remote(Member m, KeyringRequest r) {
        KeyringMemberResult.Builder failed = KeyringMemberResult.newBuilder().setNode(m.name()).setOk(false);
        String port = m.tags().get(AgentTags.GRPC_PORT);
        if (port == null) {
            return failed.setError("its agent advertises no gRPC API port").build();
        }
        String target = m.address().host() + ":" + port;
        ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            return AgentGrpc.newBlockingStub(ch).withDeadlineAfter(MEMBER_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .keyring(r).getResults(0);
        } catch (StatusRuntimeException e) {
            return failed.setError("agent at " + target + ": " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription()).build();
        } finally {
            ch.shutdownNow();
        }
    }
}
