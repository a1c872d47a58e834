package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.IntentionDecider;
import dev.meshplane.api.IntentionRules;
import dev.meshplane.controlplane.state.ConnectQueries;
import dev.meshplane.controlplane.watch.WakeKeys;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.IntentionDelete;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionCheckRequest;
import dev.meshplane.proto.v1.IntentionCheckResponse;
import dev.meshplane.proto.v1.IntentionDeleteRequest;
import dev.meshplane.proto.v1.IntentionGetRequest;
import dev.meshplane.proto.v1.IntentionGetResponse;
import dev.meshplane.proto.v1.IntentionListRequest;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.proto.v1.IntentionMatchRequest;
import dev.meshplane.proto.v1.IntentionUpsertRequest;
import dev.meshplane.proto.v1.IntentionWriteResponse;
import dev.meshplane.proto.v1.IntentionsGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;

/** Intentions: writes through the log, reads (blocking) from the state, decisions by precedence. */
final class IntentionsRpc extends IntentionsGrpc.IntentionsImplBase {
    private final Writes writes;
    private final ConnectQueries queries;
    private final BlockingReads reads;
    private final boolean defaultAllow;

    IntentionsRpc(Writes writes, ConnectQueries queries, BlockingReads reads, boolean defaultAllow) {
        this.writes = writes;
        this.queries = queries;
        this.reads = reads;
        this.defaultAllow = defaultAllow;
    }

    @Override
    public void upsert(IntentionUpsertRequest request, StreamObserver<IntentionWriteResponse> observer) {
        if (!request.hasIntention()) {
            throw ApiException.invalidArgument("intention", "must be set");
        }
        Intention intention = IntentionRules.normalize("intention", request.getIntention());
        writes.propose(Command.newBuilder().setIntentionUpsert(intention).build(), observer,
                a -> IntentionWriteResponse.newBuilder().setIndex(a.index()).build());
    }

    @Override
    public void get(IntentionGetRequest request, StreamObserver<IntentionGetResponse> observer) {
        IntentionRules.checkEndpoint("source_name", request.getSourceName());
        IntentionRules.checkEndpoint("destination_name", request.getDestinationName());
        if (request.getOptions().getIndex() == 0
                && queries.intention(request.getSourceName(), request.getDestinationName()).value().isEmpty()) {
            throw ApiException.notFound("no intention " + request.getSourceName() + " => "
                    + request.getDestinationName());
        }
        // A blocking Get answers without an intention once it is deleted (a blocked call must end with data).
        reads.serve(request.getOptions(), List.of(WakeKeys.INTENTIONS),
                () -> queries.intention(request.getSourceName(), request.getDestinationName()), (r, meta) -> {
                    IntentionGetResponse.Builder b = IntentionGetResponse.newBuilder().setMeta(meta);
                    r.value().ifPresent(b::setIntention);
                    return b.build();
                }, observer);
    }

    @Override
    public void delete(IntentionDeleteRequest request, StreamObserver<IntentionWriteResponse> observer) {
        IntentionRules.checkEndpoint("source_name", request.getSourceName());
        IntentionRules.checkEndpoint("destination_name", request.getDestinationName());
        Command command = Command.newBuilder().setIntentionDelete(IntentionDelete.newBuilder()
                .setSourceName(request.getSourceName()).setDestinationName(request.getDestinationName())).build();
        writes.propose(command, observer, a -> {
            if (!Writes.applied(a)) {
                throw ApiException.notFound("no intention " + request.getSourceName() + " => "
                        + request.getDestinationName());
            }
            return IntentionWriteResponse.newBuilder().setIndex(a.index()).build();
        });
    }

    @Override
    public void list(IntentionListRequest request, StreamObserver<IntentionListResponse> observer) {
        reads.serve(request.getOptions(), List.of(WakeKeys.INTENTIONS), queries::intentions,
                (r, meta) -> answer(new IntentionDecider(r.value(), defaultAllow).ordered(), meta), observer);
    }

    @Override
    public void match(IntentionMatchRequest request, StreamObserver<IntentionListResponse> observer) {
        if (request.getBy() != IntentionMatchRequest.By.BY_SOURCE
                && request.getBy() != IntentionMatchRequest.By.BY_DESTINATION) {
            throw ApiException.invalidArgument("by", "must be BY_SOURCE or BY_DESTINATION");
        }
        IntentionRules.checkEndpoint("name", request.getName());
        boolean bySource = request.getBy() == IntentionMatchRequest.By.BY_SOURCE;
        reads.serve(request.getOptions(), List.of(WakeKeys.INTENTIONS), queries::intentions,
                (r, meta) -> answer(new IntentionDecider(r.value(), defaultAllow).matching(request.getName(), bySource),
                        meta), observer);
    }

    @Override
    public void check(IntentionCheckRequest request, StreamObserver<IntentionCheckResponse> observer) {
        IntentionRules.checkEndpoint("source_name", request.getSourceName());
        IntentionRules.checkEndpoint("destination_name", request.getDestinationName());
        IntentionDecider.Decision d = new IntentionDecider(queries.intentions().value(), defaultAllow)
                .decide(request.getSourceName(), request.getDestinationName());
        IntentionCheckResponse.Builder b = IntentionCheckResponse.newBuilder().setAllowed(d.allowed())
                .setReason(d.reason());
        d.decidedBy().ifPresent(b::setDecidedBy);
        observer.onNext(b.build());
        observer.onCompleted();
    }

    private IntentionListResponse answer(List<Intention> intentions, dev.meshplane.proto.v1.QueryMeta meta) {
        return IntentionListResponse.newBuilder().addAllIntentions(intentions).setDefaultAllow(defaultAllow)
                .setMeta(meta).build();
    }
}
