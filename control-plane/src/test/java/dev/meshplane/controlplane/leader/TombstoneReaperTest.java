package dev.meshplane.controlplane.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.log.LocalLog;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TombstoneReaperTest {

    @Test
    void tombstonesOlderThanTheTtlAreReapedThroughTheLog() throws Exception {
        StateStore store = new StateStore();
        AtomicLong clock = new AtomicLong();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (LocalLog log = new LocalLog(store, "127.0.0.1:8300");
             TombstoneReaper reaper = new TombstoneReaper(log, scheduler, clock::get, Duration.ofMinutes(15),
                     Duration.ofSeconds(30))) {
            store.addListener(reaper);
            reaper.setLeading(true);
            StateQueries q = new StateQueries(store);
            log.propose(put("a/1")).get();
            log.propose(put("a/2")).get();
            long firstDelete = log.propose(delete("a/1")).get().index();
            assertEquals(firstDelete, q.kvList("a/", false, "").index(), "the tombstone carries the prefix index");

            clock.addAndGet(Duration.ofMinutes(10).toNanos());
            long secondDelete = log.propose(delete("a/2")).get().index();
            assertEquals(2, reaper.pendingBuckets(), "deletes ten minutes apart fall in two buckets");

            reaper.reapExpired().get();
            assertEquals(2, reaper.pendingBuckets(), "nothing is past the TTL yet");

            clock.addAndGet(Duration.ofMinutes(6).toNanos());
            reaper.reapExpired().get();
            assertEquals(1, reaper.pendingBuckets(), "the first bucket expired");
            long afterReap = store.lastIndex();
            assertEquals(secondDelete, q.kvList("a/", false, "").index(), "the newer tombstone remains");

            clock.addAndGet(Duration.ofMinutes(10).toNanos());
            reaper.reapExpired().get();
            assertEquals(0, reaper.pendingBuckets());
            // With every tombstone gone an empty prefix reports the KV table's index.
            assertEquals(secondDelete, q.kvList("a/", false, "").index());
            assertEquals(afterReap + 1, store.lastIndex(), "each reap is one write in the log");
        } finally {
            scheduler.shutdownNow();
        }
    }

    private static Command put(String key) {
        return Command.newBuilder().setKvPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")))
                .build();
    }

    private static Command delete(String key) {
        return Command.newBuilder().setKvDelete(KvDelete.newBuilder().setKey(key)).build();
    }
}
