package dev.meshplane.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ForwardRequest;
import dev.meshplane.proto.internal.v1.ForwardResponse;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The follower's end of write forwarding on one stream, against a scripted leader (in-process
 * gRPC): answers matched by id in any order, failures carried as statuses, a broken stream
 * failing what waits, and a fresh stream after that.
 */
class ForwardStreamTest {
    /** What the scripted leader received, with the stream to answer on. */
    record Received(ForwardRequest request, StreamObserver<ForwardResponse> answers) {}

    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new RaftServiceGrpc.RaftServiceImplBase() {
            @Override
            public StreamObserver<ForwardRequest> forwardStream(StreamObserver<ForwardResponse> answers) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(ForwardRequest r) {
                        received.add(new Received(r, answers));
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private static Command put(String key) {
        return Command.newBuilder().setKvPut(KvPut.newBuilder().setKey(key)).build();
    }

    @Test
    void answersAreMatchedByIdInAnyOrderAndFailuresKeepTheirStatus() throws Exception {
        ForwardStream stream = new ForwardStream(channel);
        List<CompletableFuture<Consensus.Applied>> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writes.add(stream.forward(put("k" + i), 30));
        }
        List<Received> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(received.poll(5, TimeUnit.SECONDS));
        }
        assertEquals("k1", Command.parseFrom(got.get(1).request().getCommand()).getKvPut().getKey());
        // Answer the third first, then fail the first, then answer the second.
        got.get(2).answers().onNext(ForwardResponse.newBuilder().setId(got.get(2).request().getId()).setIndex(30)
                .setResult(ResultCodec.encode(ApplyResult.DONE)).build());
        got.get(0).answers().onNext(ForwardResponse.newBuilder().setId(got.get(0).request().getId())
                .setErrorCode(Status.Code.UNAVAILABLE.value()).setErrorMessage("leadership changed; retry").build());
        got.get(1).answers().onNext(ForwardResponse.newBuilder().setId(got.get(1).request().getId()).setIndex(20)
                .setResult(ResultCodec.encode(ApplyResult.DONE)).build());

        assertEquals(30, writes.get(2).get(5, TimeUnit.SECONDS).index());
        assertEquals(20, writes.get(1).get(5, TimeUnit.SECONDS).index());
        ExecutionException failed = assertThrows(ExecutionException.class, () -> writes.get(0).get(5, TimeUnit.SECONDS));
        StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, failed.getCause());
        assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
        assertEquals("leadership changed; retry", status.getStatus().getDescription());
        assertFalse(stream.broken());
    }

    @Test
    void aBrokenStreamFailsWaitingWritesAndTheForwarderOpensANewOne() throws Exception {
        ForwardStream stream = new ForwardStream(channel);
        CompletableFuture<Consensus.Applied> waiting = stream.forward(put("a"), 30);
        Received r = received.poll(5, TimeUnit.SECONDS);
        r.answers().onError(Status.INTERNAL.withDescription("leader went away").asRuntimeException());

        ExecutionException failed = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.INTERNAL,
                assertInstanceOf(StatusRuntimeException.class, failed.getCause()).getStatus().getCode());
        assertTrue(stream.broken());
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> stream.forward(put("b"), 30).get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNAVAILABLE,
                assertInstanceOf(StatusRuntimeException.class, refused.getCause()).getStatus().getCode());
    }

    @Test
    void aWriteWithoutAnswerTimesOutAsDeadlineExceeded() throws Exception {
        ForwardStream stream = new ForwardStream(channel);
        CompletableFuture<Consensus.Applied> write = stream.forward(put("slow"), 1);
        assertTrue(received.poll(5, TimeUnit.SECONDS) != null);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> write.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.DEADLINE_EXCEEDED,
                assertInstanceOf(StatusRuntimeException.class, failed.getCause()).getStatus().getCode());
    }
}
