package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.Durations;
import dev.meshplane.api.NameRules;
import dev.meshplane.controlplane.connect.CaAuthority;
import dev.meshplane.controlplane.connect.CaProtos;
import dev.meshplane.controlplane.state.ConnectQueries;
import dev.meshplane.controlplane.watch.WakeKeys;
import dev.meshplane.proto.v1.CaRootsRequest;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.ConnectCAGrpc;
import dev.meshplane.proto.v1.RotateRequest;
import dev.meshplane.proto.v1.RotateResponse;
import dev.meshplane.proto.v1.SetRootRequest;
import dev.meshplane.proto.v1.SignRequest;
import dev.meshplane.proto.v1.SignResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The CA: roots for everyone (blocking), signing and rotation on the leader. */
final class ConnectCaRpc extends ConnectCAGrpc.ConnectCAImplBase {
    private final CaAuthority authority;
    private final ConnectQueries queries;
    private final BlockingReads reads;
    private final LeaderForwarding leader;

    ConnectCaRpc(CaAuthority authority, ConnectQueries queries, BlockingReads reads, LeaderForwarding leader) {
        this.authority = authority;
        this.queries = queries;
        this.reads = reads;
        this.leader = leader;
    }

    @Override
    public void roots(CaRootsRequest request, StreamObserver<CaRootsResponse> observer) {
        reads.serve(request.getOptions(), List.of(WakeKeys.CA_ROOTS), queries::caState, (r, meta) -> {
            CaRootsResponse.Builder b = r.value().map(CaProtos::publicRoots).orElseGet(CaRootsResponse::newBuilder);
            return b.setMeta(meta).build();
        }, observer);
    }

    @Override
    public void sign(SignRequest request, StreamObserver<SignResponse> observer) {
        if (request.getCsr().isEmpty()) {
            throw ApiException.invalidArgument("csr", "must be set (PEM CERTIFICATE REQUEST)");
        }
        NameRules.checkName("node", request.getNode());
        Duration ttl = request.hasTtl() ? Durations.toJava(request.getTtl()) : null;
        if (!authority.leading()) {
            leader.forward(ConnectCAGrpc.getSignMethod(), request, observer);
            return;
        }
        CaAuthority.SignedLeaf signed;
        try {
            signed = authority.sign(request.getCsr(), ttl, request.getNode());
        } catch (StatusRuntimeException e) {
            // Carries trailers (the retry hint) that the error mapping would drop.
            observer.onError(e);
            return;
        }
        observer.onNext(CaProtos.leaf(signed.leaf(), signed.rootId()));
        observer.onCompleted();
    }

    @Override
    public void rotate(RotateRequest request, StreamObserver<RotateResponse> observer) {
        if (!authority.leading()) {
            leader.forward(ConnectCAGrpc.getRotateMethod(), request, observer);
            return;
        }
        answer(authority.rotate(Optional.empty()), observer);
    }

    @Override
    public void setRoot(SetRootRequest request, StreamObserver<RotateResponse> observer) {
        if (request.getRootCertPem().isEmpty() || request.getPrivateKeyPem().isEmpty()) {
            throw ApiException.invalidArgument(request.getRootCertPem().isEmpty() ? "root_cert_pem" : "private_key_pem",
                    "must be set");
        }
        if (!authority.leading()) {
            leader.forward(ConnectCAGrpc.getSetRootMethod(), request, observer);
            return;
        }
        answer(authority.rotate(Optional.of(authority.loadProvided(request.getRootCertPem(),
                request.getPrivateKeyPem()))), observer);
    }

    private static void answer(CompletableFuture<RotateResponse> result, StreamObserver<RotateResponse> observer) {
        result.whenComplete((r, failure) -> {
            if (failure != null) {
                observer.onError(dev.meshplane.api.ErrorMapping.toStatusException(failure));
            } else {
                observer.onNext(r);
                observer.onCompleted();
            }
        });
    }
}
