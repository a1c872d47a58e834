package dev.meshplane.controlplane.cluster;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ErrorMapping;
import dev.meshplane.controlplane.raft.storage.SnapshotInstall;
import dev.meshplane.proto.internal.v1.AddServerRequest;
import dev.meshplane.proto.internal.v1.AddServerResponse;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ForwardRequest;
import dev.meshplane.proto.internal.v1.ForwardResponse;
import dev.meshplane.proto.internal.v1.HelloRequest;
import dev.meshplane.proto.internal.v1.HelloResponse;
import dev.meshplane.proto.internal.v1.InstallAck;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import dev.meshplane.proto.internal.v1.SendAck;
import dev.meshplane.proto.internal.v1.SnapshotPiece;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The server side of server-to-server RPC: messages in, snapshots in, forwarded writes, joins. */
final class RaftRpc extends RaftServiceGrpc.RaftServiceImplBase {
    private static final Logger LOG = Logger.getLogger(RaftRpc.class.getName());

    private final ReplicatedLog log;

    RaftRpc(ReplicatedLog log) {
        this.log = log;
    }

    @Override
    public StreamObserver<RaftMessage> send(StreamObserver<SendAck> ack) {
        return new StreamObserver<>() {
            @Override
            public void onNext(RaftMessage m) {
                if (m.getTo().equals(log.config().id())) {
                    log.receive(m);
                }
            }

            @Override
            public void onError(Throwable t) {
                // The sender reconnects; nothing to clean up here.
            }

            @Override
            public void onCompleted() {
                ack.onNext(SendAck.getDefaultInstance());
                ack.onCompleted();
            }
        };
    }

    @Override
    public StreamObserver<SnapshotPiece> installSnapshot(StreamObserver<InstallAck> ack) {
        return new StreamObserver<>() {
            private RaftMessage message;
            private SnapshotInstall install;
            private boolean failed;

            @Override
            public void onNext(SnapshotPiece piece) {
                if (failed) {
                    return;
                }
                try {
                    if (install == null) {
                        message = piece.getMessage();
                        if (message.getType() != MessageType.MESSAGE_TYPE_SNAPSHOT
                                || !message.getTo().equals(log.config().id())) {
                            throw ApiException.invalidArgument("message", "the first piece must be a SNAPSHOT for "
                                    + log.config().id());
                        }
                        install = log.storage().snapshots().beginInstall(message.getSnapshot());
                    } else {
                        install.write(install.bytesReceived(), piece.getData().toByteArray());
                    }
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }

            @Override
            public void onError(Throwable t) {
                abort();
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    if (install == null) {
                        throw ApiException.invalidArgument("message", "no snapshot was sent");
                    }
                    install.finish();
                    // Only now, with the file verified and stored, does the core hear of it.
                    log.receive(message);
                    ack.onNext(InstallAck.newBuilder().setInstalled(true).build());
                    ack.onCompleted();
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }

            private void fail(Exception e) {
                failed = true;
                LOG.log(Level.WARNING, "receiving a snapshot failed: " + e);
                abort();
                ack.onError(ErrorMapping.toStatusException(e));
            }

            private void abort() {
                if (install != null) {
                    try {
                        install.abort();
                    } catch (IOException e) {
                        LOG.warning("discarding a partial snapshot: " + e);
                    }
                }
            }
        };
    }

    @Override
    public void forward(ForwardRequest request, StreamObserver<ForwardResponse> observer) {
        Command command;
        try {
            command = Command.parseFrom(request.getCommand());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw ApiException.invalidArgument("command", "is not a command");
        }
        // A write is forwarded once: a stale hint must not bounce it between followers.
        log.proposeAsLeader(command).whenComplete((applied, failure) -> {
            if (failure != null) {
                observer.onError(ErrorMapping.toStatusException(failure));
            } else {
                observer.onNext(ForwardResponse.newBuilder().setIndex(applied.index())
                        .setResult(ResultCodec.encode(applied.result())).build());
                observer.onCompleted();
            }
        });
    }

    @Override
    public StreamObserver<ForwardRequest> forwardStream(StreamObserver<ForwardResponse> responses) {
        return new ForwardedWrites(log, responses);
    }

    @Override
    public void hello(HelloRequest request, StreamObserver<HelloResponse> observer) {
        if (!request.getId().isEmpty() && !request.getAddress().isEmpty()) {
            log.addressBook().put(request.getId(), request.getAddress());
        }
        ClusterView v = log.view();
        RaftServerConfig c = log.config();
        observer.onNext(HelloResponse.newBuilder().setId(c.id()).setAddress(c.advertiseAddress())
                .setBootstrapExpect(c.bootstrapExpect()).setDatacenter(c.datacenter())
                .setHasState(v.member() || log.hasState())
                .setLeaderId(v.leaderId()).setLeaderAddress(v.leaderAddress()).addAllVoters(v.voters()).build());
        observer.onCompleted();
    }

    @Override
    public void addServer(AddServerRequest request, StreamObserver<AddServerResponse> observer) {
        if (request.getId().isEmpty() || request.getAddress().isEmpty()) {
            throw ApiException.invalidArgument("id", "a joining server must give its id and address");
        }
        log.membership().addServer(request.getId(), request.getAddress()).whenComplete((index, failure) -> {
            if (failure != null) {
                observer.onError(ErrorMapping.toStatusException(failure));
            } else {
                observer.onNext(AddServerResponse.newBuilder().setIndex(index).build());
                observer.onCompleted();
            }
        });
    }
}
