package dev.meshplane.controlplane.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 for real: a child JVM ({@link CrashChild}) appends, fsyncs, saves hard state and takes
 * snapshots on a real directory, printing what it has made durable; the test SIGKILLs it at a
 * random moment, reopens the storage and checks that everything acknowledged is there, intact.
 * Each iteration continues on the same directory, so recovery runs on the leftovers of the last
 * kill. {@code -Dmeshplane.crash.iterations=N} runs more; {@code -Dmeshplane.crash.seed=S}
 * replays the kill delays of a printed seed.
 */
class StorageCrashTest {
    private static final int ITERATIONS = Integer.getInteger("meshplane.crash.iterations", 6);

    @TempDir
    Path dataDir;

    /** The run (= term) that appended from each start index on. */
    private final TreeMap<Long, Long> runByStart = new TreeMap<>();
    private long acked;
    private long snapshotAcked;

    @Test
    void everythingAcknowledgedSurvivesSigkill() throws Exception {
        long seed = Long.getLong("meshplane.crash.seed", System.nanoTime());
        System.out.println("StorageCrashTest seed " + seed + " (replay with -Dmeshplane.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int run = 1; run <= ITERATIONS; run++) {
            int delayMs = 50 + random.nextInt(700);
            String where = "seed " + seed + ", run " + run + ", kill after " + delayMs + " ms";
            runChildAndKill(run, random.nextLong(), delayMs, where);
            verify(run, where);
        }
        assertTrue(acked > 1000, "the children acknowledged only " + acked + " entries in total; too few to mean much");
    }

    private void runChildAndKill(long run, long childSeed, int delayMs, String where) throws Exception {
        Path stderr = dataDir.resolveSibling(dataDir.getFileName() + "-child-" + run + ".err");
        Process child = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                dataDir.toString(), Long.toString(run), Long.toString(childSeed))
                .redirectError(stderr.toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> readLines(child.getInputStream(), lines));
        try {
            String first = lines.poll(60, TimeUnit.SECONDS);
            if (first == null || !first.startsWith("START ")) {
                fail(where + ": child did not start (first line " + first + "); stderr:\n" + Files.readString(stderr));
            }
            runByStart.put(Long.parseLong(first.substring(6)), run);
            String firstAck = lines.poll(60, TimeUnit.SECONDS);
            if (firstAck == null) {
                fail(where + ": child acknowledged nothing; stderr:\n" + Files.readString(stderr));
            }
            record(firstAck, where);
            Thread.sleep(delayMs);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing, no close()
            child.waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(30_000);
        for (String line; (line = lines.poll()) != null; ) {
            record(line, where);
        }
        // The JDK warns about protobuf's use of sun.misc.Unsafe; that is not the child's news.
        String err = String.join("\n", Files.readAllLines(stderr).stream()
                .filter(l -> !l.contains("sun.misc.Unsafe") && !l.contains("Unsafe has been called")
                        && !l.contains("Please consider reporting"))
                .toList());
        if (!err.isBlank()) {
            System.out.println(where + ", child stderr:\n" + err);
        }
        assertTrue(!err.contains("Exception in thread"),
                where + ": child failed on its own rather than being killed:\n" + err);
    }

    private void record(String line, String where) {
        if (line.startsWith("ACK ")) {
            acked = Math.max(acked, Long.parseLong(line.substring(4)));
        } else if (line.startsWith("SNAP ")) {
            snapshotAcked = Math.max(snapshotAcked, Long.parseLong(line.substring(5)));
        } else {
            fail(where + ": unexpected line from child: " + line);
        }
    }

    private void verify(long run, String where) throws IOException {
        try (RaftStorage storage = RaftStorage.open(dataDir, CrashChild.CONFIG)) {
            SegmentedLog log = storage.log();
            assertTrue(log.lastIndex() >= acked, where + ": log ends at " + log.lastIndex()
                    + " but " + acked + " was acknowledged");
            HardState hs = storage.hardState().load();
            assertEquals(run, hs.getTerm(), where + ": hard state term");
            assertTrue(hs.getCommit() >= acked && hs.getCommit() <= log.lastIndex(), where + ": hard state commit "
                    + hs.getCommit() + " must be >= acknowledged " + acked + " and <= last index " + log.lastIndex());
            long snapshotIndex = log.snapshotMetadata().getIndex();
            assertTrue(snapshotIndex >= snapshotAcked, where + ": snapshot " + snapshotIndex
                    + " is older than the acknowledged snapshot " + snapshotAcked);
            assertTrue(log.firstIndex() - 1 <= snapshotIndex, where + ": log compacted past its snapshot");
            if (snapshotIndex > 0) {
                StoredSnapshot s = storage.snapshots().latest().orElseThrow();
                assertEquals(log.snapshotMetadata(), s.metadata(), where);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                CrashChild.writeSnapshotData(expected, snapshotIndex);
                try (InputStream in = s.openData()) {
                    assertTrue(Arrays.equals(expected.toByteArray(), in.readAllBytes()), where + ": snapshot data");
                }
            }
            checkEntries(log, where);
            System.out.printf("%s: acknowledged up to %d, recovered [%d, %d], snapshot %d, commit %d%n",
                    where, acked, log.firstIndex(), log.lastIndex(), snapshotIndex, hs.getCommit());
        }
    }

    /** Every entry held is the one its run wrote, with the content that follows from index and term. */
    private void checkEntries(SegmentedLog log, String where) {
        long index = log.firstIndex();
        while (index <= log.lastIndex()) {
            for (RaftEntry e : log.entries(index, log.lastIndex() + 1, 4 << 20)) {
                long writer = runByStart.floorEntry(e.getIndex()).getValue();
                assertEquals(writer, e.getTerm(), where + ": term of entry " + e.getIndex());
                assertEquals(TestEntries.entry(e.getIndex(), e.getTerm(), CrashChild.dataBytes(e.getIndex())), e,
                        where + ": content of entry " + e.getIndex());
                index = e.getIndex() + 1;
            }
        }
    }

    private static void readLines(InputStream in, BlockingQueue<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // The pipe breaks when the child is killed; what was read so far is what counts.
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
