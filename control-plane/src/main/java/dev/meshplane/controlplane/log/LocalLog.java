package dev.meshplane.controlplane.log;

import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.v1.Consistency;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * A log that lives only in this process: commands are numbered and applied in order on one
 * thread, nothing is replicated or written to disk. It is what `agent -dev` runs on, and it is
 * honest about it: there is no election, no quorum and no durability to pretend.
 */
public final class LocalLog implements Consensus {
    private final StateStore store;
    private final String address;
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "local-log-apply");
        t.setDaemon(true);
        return t;
    });
    private long nextIndex;

    /** @param address the server RPC address reported as leader and only voter */
    public LocalLog(StateStore store, String address) {
        this.store = store;
        this.address = address;
        // Index 1 is what a never-changed result reports (see Indexed), so a query blocked on an
        // empty result waits at 1; the first write must land above it to wake that query. A Raft
        // log gets this from the leader's no-op entry at index 1.
        this.nextIndex = Math.max(2, store.lastIndex() + 1);
    }

    @Override
    public CompletableFuture<Applied> propose(Command command) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                long index = nextIndex++;
                return new Applied(index, store.apply(index, command));
            }, applier);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(ApiException.unavailable("server is shutting down"));
        }
    }

    @Override
    public CompletableFuture<ReadStatus> readBarrier(Consistency consistency) {
        // One process, one copy of the state: every read is as fresh as it can be.
        return CompletableFuture.completedFuture(new ReadStatus(true, Duration.ZERO, consistency));
    }

    @Override
    public String leaderAddress() {
        return address;
    }

    @Override
    public List<String> voters() {
        return List.of(address);
    }

    @Override
    public void close() {
        applier.shutdown();
    }
}
