package dev.meshplane.controlplane.cluster;

import com.google.protobuf.ByteString;
import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.raft.ReadState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Linearizable reads through ReadIndex, batched: every read queued while no round is in flight
 * rides on the next round, so a burst of reads costs one quorum round, not one each. A round's
 * reads are released once this server has applied up to the index the leader confirmed.
 * Loop-thread only.
 */
final class ReadBarriers {
    /** Reads waiting for a round, the rounds in flight, and rounds confirmed but not yet applied. */
    private final List<Waiting> queued = new ArrayList<>();
    private final Map<ByteString, Round> inFlight = new HashMap<>();
    private final List<Round> confirmed = new ArrayList<>();
    private long nextContext;

    record Waiting(CompletableFuture<Consensus.ReadStatus> future, Consensus.ReadStatus answer) {}

    private record Round(List<Waiting> reads, long issuedTick, long index) {
        Round confirmedAt(long index) {
            return new Round(reads, issuedTick, index);
        }
    }

    void enqueue(Waiting w) {
        queued.add(w);
    }

    /**
     * Starts a round for the queued reads if there are any and none is in flight; {@code issue}
     * hands the context to the core and says whether it took it (false: no leader known).
     */
    void maybeIssue(long tick, Function<ByteString, Boolean> issue) {
        if (queued.isEmpty() || !inFlight.isEmpty()) {
            return;
        }
        ByteString context = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(++nextContext).array());
        List<Waiting> batch = new ArrayList<>(queued);
        queued.clear();
        if (issue.apply(context)) {
            inFlight.put(context, new Round(batch, tick, 0));
        } else {
            fail(batch, "no cluster leader is known; retry shortly");
        }
    }

    void onReadState(ReadState state) {
        Round round = inFlight.remove(state.context());
        if (round != null) {
            confirmed.add(round.confirmedAt(state.index()));
        }
    }

    /** Releases the reads whose round's index has been applied. */
    void release(long applied, java.util.concurrent.Executor responder) {
        for (Iterator<Round> it = confirmed.iterator(); it.hasNext(); ) {
            Round r = it.next();
            if (r.index() <= applied) {
                it.remove();
                for (Waiting w : r.reads()) {
                    responder.execute(() -> w.future().complete(w.answer()));
                }
            }
        }
    }

    /** Fails rounds that got no answer in time (lost messages, a partitioned leader). */
    void expire(long tick, long roundTimeoutTicks) {
        for (Iterator<Map.Entry<ByteString, Round>> it = inFlight.entrySet().iterator(); it.hasNext(); ) {
            Round r = it.next().getValue();
            if (tick - r.issuedTick() > roundTimeoutTicks) {
                it.remove();
                fail(r.reads(), "the leader did not confirm the read in time; retry");
            }
        }
    }

    /**
     * Leadership changed: rounds in flight will never be answered (the core drops them). Rounds
     * already confirmed stay valid: their index was a linearization point when confirmed.
     */
    void failInFlight(String why) {
        inFlight.values().forEach(r -> fail(r.reads(), why));
        inFlight.clear();
    }

    private static void fail(List<Waiting> reads, String why) {
        for (Waiting w : reads) {
            w.future().completeExceptionally(ApiException.unavailable(why));
        }
    }
}
