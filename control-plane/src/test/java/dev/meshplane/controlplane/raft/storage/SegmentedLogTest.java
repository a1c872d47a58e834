package dev.meshplane.controlplane.raft.storage;

import static dev.meshplane.controlplane.raft.storage.TestEntries.entry;
import static dev.meshplane.controlplane.raft.storage.TestEntries.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedLogTest {
    /** Small segments so that a few hundred entries span many files. */
    static final StorageConfig SMALL = StorageConfig.DEFAULTS.withSegmentBytes(4096, 1024);

    @TempDir
    Path dir;

    @Test
    void appendedEntriesReadBackAndSurviveReopen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(1, log.firstIndex());
            assertEquals(0, log.lastIndex());
            assertEquals(0, log.term(0));
            for (long i = 1; i <= 100; i += 10) {
                log.append(range(i, i + 9, i <= 50 ? 1 : 2, 64));
            }
            assertEquals(100, log.sync());
            assertEquals(100, log.durableIndex());
        }
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(1, log.firstIndex());
            assertEquals(100, log.lastIndex());
            List<RaftEntry> all = log.entries(1, 101, Long.MAX_VALUE);
            assertEquals(100, all.size());
            for (RaftEntry e : all) {
                assertEquals(entry(e.getIndex(), e.getIndex() <= 50 ? 1 : 2, 64), e);
                assertEquals(e.getTerm(), log.term(e.getIndex()));
            }
        }
    }

    @Test
    void readsAcrossManySegmentsFromDiskWithoutCache() throws IOException {
        StorageConfig noCache = SMALL.withCache(0, 0);
        try (SegmentedLog log = SegmentedLog.open(dir, noCache)) {
            for (long i = 1; i <= 300; i += 30) {
                log.append(range(i, i + 29, 2, 100));
            }
            log.sync();
            assertTrue(log.segmentCount() > 5, "expected several segments, got " + log.segmentCount());
            assertEquals(range(1, 300, 2, 100), log.entries(1, 301, Long.MAX_VALUE));
            assertEquals(range(37, 170, 2, 100), log.entries(37, 171, Long.MAX_VALUE));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, noCache)) {
            assertEquals(range(1, 300, 2, 100), log.entries(1, 301, Long.MAX_VALUE));
        }
    }

    @Test
    void entriesStopAtTheByteBudgetButReturnAtLeastOne() throws IOException {
        for (StorageConfig config : List.of(StorageConfig.DEFAULTS, SMALL.withCache(0, 0))) {
            Path d = dir.resolve("c" + config.cacheEntries());
            try (SegmentedLog log = SegmentedLog.open(d, config)) {
                log.append(range(1, 50, 1, 100));
                int size = entry(10, 1, 100).getSerializedSize();
                assertEquals(1, log.entries(10, 50, 0).size());
                assertEquals(1, log.entries(10, 50, size - 1).size());
                assertEquals(3, log.entries(10, 50, 3L * size).size());
                assertEquals(3, log.entries(10, 50, 4L * size - 1).size());
                assertEquals(range(10, 12, 1, 100), log.entries(10, 50, 3L * size));
                assertEquals(List.of(), log.entries(10, 10, 100));
            }
        }
    }

    @Test
    void truncatedSuffixIsReplacedDurably() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 200, 1, 100));
            log.sync();
            int before = log.segmentCount();
            log.truncateSuffix(30);
            assertEquals(29, log.lastIndex());
            assertTrue(log.segmentCount() < before);
            assertEquals(29, log.durableIndex());
            log.append(range(30, 40, 2, 50));
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertEquals(40, log.lastIndex());
            assertEquals(1, log.term(29));
            assertEquals(2, log.term(30));
            List<RaftEntry> expected = new ArrayList<>(range(1, 29, 1, 100));
            expected.addAll(range(30, 40, 2, 50));
            assertEquals(expected, log.entries(1, 41, Long.MAX_VALUE));
        }
    }

    @Test
    void truncatingAtASegmentsFirstIndexKeepsAnEmptyActiveSegment() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            List<Path> files = TestEntries.segmentFiles(dir);
            long secondStart = Segment.firstIndexOf(files.get(1).getFileName().toString());
            log.truncateSuffix(secondStart);
            assertEquals(secondStart - 1, log.lastIndex());
            assertEquals(2, log.segmentCount());
            log.append(List.of(entry(secondStart, 3, 10)));
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertEquals(3, log.term(log.lastIndex()));
        }
    }

    @Test
    void appendRejectsEntriesThatDoNotContinueTheLog() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 5, 2, 10));
            var gap = assertThrows(IllegalArgumentException.class, () -> log.append(List.of(entry(7, 2, 10))));
            assertTrue(gap.getMessage().contains("entry index 7") && gap.getMessage().contains("expected 6"),
                    gap.getMessage());
            var overlap = assertThrows(IllegalArgumentException.class, () -> log.append(List.of(entry(5, 2, 10))));
            assertTrue(overlap.getMessage().contains("truncate"), overlap.getMessage());
            var lowerTerm = assertThrows(IllegalArgumentException.class, () -> log.append(List.of(entry(6, 1, 10))));
            assertTrue(lowerTerm.getMessage().contains("term 1"), lowerTerm.getMessage());
            var skip = assertThrows(IllegalArgumentException.class,
                    () -> log.append(List.of(entry(6, 2, 10), entry(8, 2, 10))));
            assertTrue(skip.getMessage().contains("entry index 8"), skip.getMessage());
            var big = assertThrows(IllegalArgumentException.class, () -> log.append(List.of(entry(6, 2, 2000))));
            assertTrue(big.getMessage().contains("maxEntryBytes"), big.getMessage());
            assertEquals(5, log.lastIndex(), "a rejected batch must leave nothing behind");
            log.append(List.of(entry(6, 2, 10)));
            assertEquals(6, log.lastIndex());
        }
    }

    @Test
    void readsOutsideTheLogAreRejectedWithTheBounds() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 10, 1, 10));
            var e = assertThrows(IllegalArgumentException.class, () -> log.entries(5, 12, 100));
            assertTrue(e.getMessage().contains("[1, 11)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> log.entries(0, 3, 100));
            assertThrows(IllegalArgumentException.class, () -> log.term(11));
            assertThrows(IllegalArgumentException.class, () -> log.entries(1, 2, -1));
        }
    }

    @Test
    void compactionNeedsASnapshotAndDropsWholeSegments() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            log.append(range(101, 200, 2, 100));
            log.sync();
            var noSnapshot = assertThrows(IllegalArgumentException.class, () -> log.compact(50));
            assertTrue(noSnapshot.getMessage().contains("covers only up to 0"), noSnapshot.getMessage());
            var wrongTerm = assertThrows(IllegalArgumentException.class,
                    () -> log.recordSnapshot(snapshot(150, 1)));
            assertTrue(wrongTerm.getMessage().contains("term 2"), wrongTerm.getMessage());
            log.recordSnapshot(snapshot(150, 2));
            int before = log.segmentCount();
            log.compact(120);
            assertEquals(121, log.firstIndex());
            assertEquals(2, log.term(120));
            assertTrue(log.segmentCount() < before);
            assertThrows(IllegalArgumentException.class, () -> log.entries(120, 130, 1000));
            assertThrows(IllegalArgumentException.class, () -> log.term(119));
            assertThrows(IllegalArgumentException.class, () -> log.truncateSuffix(150));
            assertThrows(IllegalArgumentException.class, () -> log.compact(151));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertEquals(121, log.firstIndex());
            assertEquals(200, log.lastIndex());
            assertEquals(2, log.term(120));
            assertEquals(snapshot(150, 2), log.snapshotMetadata());
            assertEquals(range(121, 200, 2, 100), log.entries(121, 201, Long.MAX_VALUE));
            log.compact(150);
            assertEquals(151, log.firstIndex());
        }
    }

    @Test
    void compactingTheWholeLogLeavesItEmptyButAppendable() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 4, 100));
            log.recordSnapshot(snapshot(100, 4));
            log.compact(100);
            assertEquals(101, log.firstIndex());
            assertEquals(100, log.lastIndex());
            assertEquals(4, log.term(100));
            log.append(List.of(entry(101, 5, 10)));
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertEquals(101, log.firstIndex());
            assertEquals(List.of(entry(101, 5, 10)), log.entries(101, 102, 0));
        }
    }

    @Test
    void restoringAMatchingSnapshotKeepsTheEntriesAfterIt() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 3, 100));
            log.restoreSnapshot(snapshot(50, 3));
            assertEquals(51, log.firstIndex());
            assertEquals(100, log.lastIndex());
            assertEquals(range(51, 100, 3, 100), log.entries(51, 101, Long.MAX_VALUE));
        }
    }

    @Test
    void restoringAConflictingSnapshotDiscardsTheWholeLog() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            log.restoreSnapshot(snapshot(80, 3));
            assertEquals(81, log.firstIndex());
            assertEquals(80, log.lastIndex());
            assertEquals(3, log.term(80));
            assertEquals(1, log.segmentCount());
            var stale = assertThrows(IllegalArgumentException.class, () -> log.restoreSnapshot(snapshot(70, 3)));
            assertTrue(stale.getMessage().contains("not newer"), stale.getMessage());
            log.append(List.of(entry(81, 3, 10)));
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            assertEquals(81, log.firstIndex());
            assertEquals(81, log.lastIndex());
            assertEquals(3, log.term(80));
            assertEquals(snapshot(80, 3), log.snapshotMetadata());
        }
    }

    @Test
    void restoringASnapshotBeyondTheLogStartsAfterIt() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 10, 1, 10));
            log.restoreSnapshot(snapshot(500, 7));
            assertEquals(501, log.firstIndex());
            assertEquals(500, log.lastIndex());
            var e = assertThrows(IllegalArgumentException.class, () -> log.append(List.of(entry(501, 6, 1))));
            assertTrue(e.getMessage().contains("previous entry's term 7"), e.getMessage());
        }
    }

    @Test
    void concurrentProposersAllBecomeDurable() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            int threads = 8;
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            long index;
                            synchronized (log) {
                                index = log.lastIndex() + 1;
                                log.append(List.of(entry(index, 1, 32)));
                            }
                            long durable = log.sync();
                            if (durable < index) {
                                throw new AssertionError("sync returned " + durable + " before own entry " + index);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(threads * perThread, log.durableIndex());
        }
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(range(1, 400, 1, 32), log.entries(1, 401, Long.MAX_VALUE));
        }
    }

    @Test
    void failedWriteMakesTheLogRefuseWritesUntilReopened() throws IOException {
        Path logDir = dir.resolve("log");
        try (SegmentedLog log = SegmentedLog.open(logDir, SMALL)) {
            log.appendAndSync(range(1, 10, 1, 100));
            // The directory vanishes under the log: the next segment roll cannot create its file.
            for (Path p : TestEntries.segmentFiles(logDir)) {
                java.nio.file.Files.delete(p);
            }
            java.nio.file.Files.delete(logDir);
            var first = assertThrows(IOException.class, () -> log.append(range(11, 200, 1, 100)));
            assertTrue(first.getMessage().contains("failed while appending entries 11..200"), first.getMessage());
            var later = assertThrows(IOException.class, () -> log.append(range(11, 11, 1, 100)));
            assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
            assertThrows(IOException.class, log::sync);
            assertThrows(IOException.class, () -> log.truncateSuffix(5));
        }
    }

    @Test
    void closedLogRefusesWrites() throws IOException {
        SegmentedLog log = SegmentedLog.open(dir, SMALL);
        log.close();
        var e = assertThrows(IllegalStateException.class, () -> log.append(List.of(entry(1, 1, 1))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    static SnapshotMetadata snapshot(long index, long term) {
        return SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).build();
    }
}
