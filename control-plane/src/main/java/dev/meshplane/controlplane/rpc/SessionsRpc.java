package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import dev.meshplane.api.SessionRules;
import dev.meshplane.controlplane.session.SessionTimers;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.watch.WakeKeys;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.SessionDestroy;
import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionCreateRequest;
import dev.meshplane.proto.v1.SessionCreateResponse;
import dev.meshplane.proto.v1.SessionDestroyResponse;
import dev.meshplane.proto.v1.SessionIdRequest;
import dev.meshplane.proto.v1.SessionInfoRequest;
import dev.meshplane.proto.v1.SessionListRequest;
import dev.meshplane.proto.v1.SessionListResponse;
import dev.meshplane.proto.v1.SessionResponse;
import dev.meshplane.proto.v1.SessionsGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Sessions: create, renew, destroy, info, list. */
final class SessionsRpc extends SessionsGrpc.SessionsImplBase {
    private final Writes writes;
    private final StateQueries queries;
    private final BlockingReads reads;
    private final SessionTimers timers;
    private final Duration minTtl;

    SessionsRpc(Writes writes, StateQueries queries, BlockingReads reads, SessionTimers timers, Duration minTtl) {
        this.writes = writes;
        this.queries = queries;
        this.reads = reads;
        this.timers = timers;
        this.minTtl = minTtl;
    }

    @Override
    public void create(SessionCreateRequest request, StreamObserver<SessionCreateResponse> observer) {
        if (!request.hasSession()) {
            throw ApiException.invalidArgument("session", "must be set");
        }
        Session session = SessionRules.normalize(request.getSession(), UUID.randomUUID().toString(),
                request.getSession().hasLockDelay(), request.getNoNodeChecks(), minTtl);
        writes.propose(Command.newBuilder().setSessionCreate(session).build(), observer,
                a -> SessionCreateResponse.newBuilder().setId(session.getId()).setIndex(a.index()).build());
    }

    @Override
    public void renew(SessionIdRequest request, StreamObserver<SessionResponse> observer) {
        NameRules.checkId("id", request.getId());
        if (!timers.renew(request.getId())) {
            throw ApiException.notFound("id: session " + request.getId() + " does not exist");
        }
        var s = queries.session(request.getId());
        observer.onNext(SessionResponse.newBuilder().setSession(s.value().orElseThrow(() ->
                ApiException.notFound("id: session " + request.getId() + " does not exist"))).build());
        observer.onCompleted();
    }

    @Override
    public void destroy(SessionIdRequest request, StreamObserver<SessionDestroyResponse> observer) {
        NameRules.checkId("id", request.getId());
        writes.propose(Command.newBuilder().setSessionDestroy(SessionDestroy.newBuilder().setId(request.getId())
                        .setReason("destroyed")).build(), observer,
                a -> SessionDestroyResponse.newBuilder().setIndex(a.index()).build());
    }

    @Override
    public void info(SessionInfoRequest request, StreamObserver<SessionResponse> observer) {
        NameRules.checkId("id", request.getId());
        reads.serve(request.getOptions(), List.of(WakeKeys.SESSIONS), () -> queries.session(request.getId()),
                (r, meta) -> {
                    SessionResponse.Builder b = SessionResponse.newBuilder().setMeta(meta);
                    r.value().ifPresent(b::setSession);
                    return b.build();
                }, observer);
    }

    @Override
    public void list(SessionListRequest request, StreamObserver<SessionListResponse> observer) {
        if (!request.getNode().isEmpty()) {
            NameRules.checkName("node", request.getNode());
        }
        reads.serve(request.getOptions(), List.of(WakeKeys.SESSIONS), () -> queries.sessions(request.getNode()),
                (r, meta) -> SessionListResponse.newBuilder().addAllSessions(r.value()).setMeta(meta).build(),
                observer);
    }
}
