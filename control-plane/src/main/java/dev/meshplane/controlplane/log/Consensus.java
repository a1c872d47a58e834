package dev.meshplane.controlplane.log;

import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.Consistency;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one way state changes: a command goes into the log, is applied to the state store in
 * log order, and the caller learns its index and result. Reads ask it first whether they may
 * proceed at the consistency they want. Raft implements this for real clusters.
 */
public interface Consensus extends AutoCloseable {
    /** A command's position in the log and what applying it produced. */
    record Applied(long index, ApplyResult result) {}

    /** Whether this server may answer a read now, and how fresh its view is. */
    record ReadStatus(boolean knownLeader, Duration lastContact, Consistency effective) {}

    /**
     * Appends the command and completes once it has been applied locally. Fails with an
     * {@link dev.meshplane.api.ApiException} (UNAVAILABLE with a leader hint) when it cannot.
     */
    CompletableFuture<Applied> propose(Command command);

    /** Completes when a read at {@code consistency} may be served from the local state. */
    CompletableFuture<ReadStatus> readBarrier(Consistency consistency);

    /** The leader's server RPC address, or empty when none is known. */
    String leaderAddress();

    /** Server RPC addresses of the voting members. */
    List<String> voters();

    @Override
    void close();
}
