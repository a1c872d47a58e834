package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.KvRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.controlplane.session.LockDelays;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.watch.WakeKeys;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvDeleteRequest;
import dev.meshplane.proto.v1.KvDeleteResponse;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvGetResponse;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvListResponse;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.KvPutResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** The KV API of the server role. */
final class KvRpc extends KVGrpc.KVImplBase {
    private final Writes writes;
    private final StateQueries queries;
    private final BlockingReads reads;
    private final ApiLimits limits;
    private final LockDelays lockDelays;

    KvRpc(Writes writes, StateQueries queries, BlockingReads reads, ApiLimits limits, LockDelays lockDelays) {
        this.writes = writes;
        this.queries = queries;
        this.reads = reads;
        this.limits = limits;
        this.lockDelays = lockDelays;
    }

    @Override
    public void get(KvGetRequest request, StreamObserver<KvGetResponse> observer) {
        KvRules.checkKey("key", request.getKey(), limits);
        reads.serve(request.getOptions(), List.of(WakeKeys.kvPrefix(request.getKey())),
                () -> queries.kvGet(request.getKey()),
                (r, meta) -> {
                    KvGetResponse.Builder b = KvGetResponse.newBuilder().setMeta(meta).setFound(r.value().isPresent());
                    r.value().ifPresent(b::setEntry);
                    return b.build();
                },
                observer);
    }

    @Override
    public void put(KvPutRequest request, StreamObserver<KvPutResponse> observer) {
        KvRules.checkKey("key", request.getKey(), limits);
        KvRules.checkValue("value", request.getValue(), limits);
        int conditions = (request.hasCas() ? 1 : 0) + (request.getAcquire().isEmpty() ? 0 : 1)
                + (request.getRelease().isEmpty() ? 0 : 1);
        if (conditions > 1) {
            throw ApiException.invalidArgument("cas", "give at most one of cas, acquire and release");
        }
        KvPut.Builder put = KvPut.newBuilder().setKey(request.getKey()).setValue(request.getValue())
                .setFlags(request.getFlags());
        if (request.hasCas()) {
            put.setCas(request.getCas());
        }
        if (!request.getAcquire().isEmpty()) {
            NameRules.checkId("acquire", request.getAcquire());
            if (lockDelays.blocked(request.getKey())) {
                // A lock lost with its session is not up for grabs yet: answer as a failed acquire.
                observer.onNext(KvPutResponse.newBuilder().setApplied(false).setIndex(queries.lastIndex()).build());
                observer.onCompleted();
                return;
            }
            put.setAcquire(request.getAcquire());
        }
        if (!request.getRelease().isEmpty()) {
            NameRules.checkId("release", request.getRelease());
            put.setRelease(request.getRelease());
        }
        writes.propose(Command.newBuilder().setKvPut(put).build(), observer,
                a -> KvPutResponse.newBuilder().setApplied(Writes.applied(a)).setIndex(a.index()).build());
    }

    @Override
    public void delete(KvDeleteRequest request, StreamObserver<KvDeleteResponse> observer) {
        if (request.getRecurse()) {
            KvRules.checkPrefix("key", request.getKey(), limits);
            if (request.hasCas()) {
                throw ApiException.invalidArgument("cas", "cannot be combined with recurse");
            }
        } else {
            KvRules.checkKey("key", request.getKey(), limits);
        }
        KvDelete.Builder delete = KvDelete.newBuilder().setKey(request.getKey()).setRecurse(request.getRecurse());
        if (request.hasCas()) {
            delete.setCas(request.getCas());
        }
        writes.propose(Command.newBuilder().setKvDelete(delete).build(), observer,
                a -> KvDeleteResponse.newBuilder().setApplied(Writes.applied(a)).setIndex(a.index()).build());
    }

    @Override
    public void list(KvListRequest request, StreamObserver<KvListResponse> observer) {
        KvRules.checkPrefix("prefix", request.getPrefix(), limits);
        KvRules.checkSeparator("separator", request.getSeparator());
        if (!request.getSeparator().isEmpty() && !request.getKeysOnly()) {
            throw ApiException.invalidArgument("separator", "applies only with keys_only");
        }
        reads.serve(request.getOptions(), List.of(WakeKeys.kvPrefix(request.getPrefix())),
                () -> queries.kvList(request.getPrefix(), request.getKeysOnly(), request.getSeparator()),
                (r, meta) -> r.value().toBuilder().setMeta(meta).build(),
                observer);
    }
}
