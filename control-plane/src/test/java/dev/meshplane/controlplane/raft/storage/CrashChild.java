package dev.meshplane.controlplane.raft.storage;

import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link StorageCrashTest} kills with SIGKILL. It writes to the storage as fast as it
 * can, forever, and reports on stdout only what is durable:
 * <pre>
 * START &lt;first index this run appends&gt;
 * ACK &lt;index&gt;     after the log fsync AND the hard state (commit = index) were saved
 * SNAP &lt;index&gt;    after a snapshot was stored, recorded in the log and the log compacted
 * </pre>
 * Entries of run {@code r} have term {@code r}; their content follows from index and term.
 */
public final class CrashChild {
    /** Small segments so that a run rolls through many files (more places for the kill to land). */
    static final StorageConfig CONFIG = StorageConfig.DEFAULTS.withSegmentBytes(256 * 1024, 64 * 1024)
            .withCache(256, 1 << 20);
    static final int SNAPSHOT_BYTES = 200_000;

    private CrashChild() {}

    /** Data bytes of entry {@code index}: varies so that frames straddle pages and segment ends. */
    static int dataBytes(long index) {
        return 16 + (int) (index * 31 % 700);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long term = Long.parseLong(args[1]);
        Random random = new Random(Long.parseLong(args[2]));
        PrintStream out = new PrintStream(System.out, false);
        try (RaftStorage storage = RaftStorage.open(dir, CONFIG)) {
            SegmentedLog log = storage.log();
            long next = log.lastIndex() + 1;
            out.println("START " + next);
            out.flush();
            for (long batch = 1; ; batch++) {
                int n = 1 + random.nextInt(64);
                List<RaftEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(TestEntries.entry(next + i, term, dataBytes(next + i)));
                }
                log.append(entries);
                long durable = log.sync();
                next += n;
                HardState hs = storage.hardState().load();
                storage.hardState().save(hs.toBuilder().setTerm(term).setVote("s1").setCommit(durable).build());
                out.println("ACK " + durable);
                out.flush();
                if (batch % 40 == 0) {
                    snapshot(storage, durable - 1 - random.nextInt(100), term, out);
                }
            }
        }
    }

    private static void snapshot(RaftStorage storage, long index, long term, PrintStream out) throws IOException {
        SegmentedLog log = storage.log();
        if (index <= log.snapshotMetadata().getIndex() || index < log.firstIndex()) {
            return;
        }
        SnapshotMetadata meta = SnapshotMetadata.newBuilder().setIndex(index).setTerm(log.term(index)).build();
        try (SnapshotSink sink = storage.snapshots().create(meta)) {
            writeSnapshotData(sink, index);
            sink.commit();
        }
        log.recordSnapshot(meta);
        log.compact(Math.max(log.firstIndex() - 1, index - 200));
        out.println("SNAP " + index);
        out.flush();
    }

    /** The state a snapshot at {@code index} holds: {@link #SNAPSHOT_BYTES} bytes following from the index. */
    static void writeSnapshotData(OutputStream out, long index) throws IOException {
        Random r = new Random(index);
        byte[] buf = new byte[SNAPSHOT_BYTES];
        r.nextBytes(buf);
        out.write(buf);
    }
}
