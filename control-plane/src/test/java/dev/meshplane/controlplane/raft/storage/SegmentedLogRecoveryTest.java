package dev.meshplane.controlplane.raft.storage;

import static dev.meshplane.controlplane.raft.storage.SegmentedLogTest.SMALL;
import static dev.meshplane.controlplane.raft.storage.SegmentedLogTest.snapshot;
import static dev.meshplane.controlplane.raft.storage.TestEntries.entry;
import static dev.meshplane.controlplane.raft.storage.TestEntries.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.controlplane.raft.storage.TestEntries.CapturedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the log does on open when its files were cut short or damaged. */
class SegmentedLogRecoveryTest {
    private static final int DATA = 40;

    @TempDir
    Path dir;

    /** A log of entries 1..20 (term 1, {@link #DATA} data bytes) in one segment; returns that file. */
    private Path twentyEntries() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            log.append(range(1, 20, 1, DATA));
            log.sync();
        }
        return TestEntries.segmentFiles(dir).get(0);
    }

    private static byte[] frameBytes(long index, long term, int data) throws IOException {
        var e = entry(index, term, data);
        ByteBuffer buf = ByteBuffer.allocate(Frame.size(e.getSerializedSize()));
        Frame.write(buf, e, e.getSerializedSize());
        return buf.array();
    }

    @Test
    void partialLastRecordIsCutOffWithAWarningNamingFileAndOffset() throws IOException {
        Path file = twentyEntries();
        long goodSize = Files.size(file);
        TestEntries.appendBytes(file, Arrays.copyOf(frameBytes(21, 1, DATA), 30));
        try (CapturedLog captured = new CapturedLog(LogRecovery.class);
                SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(20, log.lastIndex());
            assertEquals(range(1, 20, 1, DATA), log.entries(1, 21, Long.MAX_VALUE));
            assertEquals(goodSize, Files.size(file), "the torn bytes must be gone from the file");
            assertEquals(1, captured.records.size(), captured.messages().toString());
            assertEquals(Level.WARNING, captured.records.get(0).getLevel());
            String message = captured.records.get(0).getMessage();
            assertTrue(message.contains(file.toString()) && message.contains("byte offset " + goodSize), message);
            log.append(List.of(entry(21, 1, DATA)));
            log.sync();
        }
        try (CapturedLog captured = new CapturedLog(LogRecovery.class);
                SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(21, log.lastIndex());
            assertTrue(captured.records.isEmpty(), captured.messages().toString());
        }
    }

    @Test
    void recordWhoseLengthRunsPastTheEndIsCutOff() throws IOException {
        Path file = twentyEntries();
        byte[] frame = frameBytes(21, 1, 500);
        TestEntries.appendBytes(file, Arrays.copyOf(frame, frame.length - 100));
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(20, log.lastIndex());
        }
    }

    @Test
    void lastRecordWithBadChecksumIsCutOff() throws IOException {
        Path file = twentyEntries();
        long lastOffset = TestEntries.offsetOf(1, 20, 1, DATA);
        TestEntries.flipByte(file, lastOffset + Frame.HEADER_BYTES + 5);
        try (CapturedLog captured = new CapturedLog(LogRecovery.class);
                SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(19, log.lastIndex());
            assertEquals(lastOffset, Files.size(file));
            assertTrue(captured.messages().get(0).contains("checksum mismatch"), captured.messages().toString());
        }
    }

    @Test
    void zeroFilledTailIsCutOff() throws IOException {
        Path file = twentyEntries();
        TestEntries.appendBytes(file, new byte[8192]);
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(20, log.lastIndex());
        }
    }

    @Test
    void flippedByteInAMiddleRecordStopsTheOpenNamingFileAndOffset() throws IOException {
        Path file = twentyEntries();
        long offset = TestEntries.offsetOf(1, 10, 1, DATA);
        TestEntries.flipByte(file, offset + Frame.HEADER_BYTES + 3);
        long sizeBefore = Files.size(file);
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, StorageConfig.DEFAULTS));
        assertEquals(file, e.file());
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("byte offset " + offset),
                e.getMessage());
        assertTrue(e.getMessage().contains("intact record (index 11)"), e.getMessage());
        assertEquals(sizeBefore, Files.size(file), "a refused open must not change the file");
    }

    @Test
    void damagedLengthFieldInTheMiddleIsNotMistakenForATornTail() throws IOException {
        Path file = twentyEntries();
        long offset = TestEntries.offsetOf(1, 5, 1, DATA);
        TestEntries.flipByte(file, offset); // top byte of the length: the record now "runs past the end"
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, StorageConfig.DEFAULTS));
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @Test
    void damagedLastRecordOfAnEarlierSegmentStopsTheOpen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            log.sync();
        }
        Path first = TestEntries.segmentFiles(dir).get(0);
        long lastIndexOfFirst = Segment.firstIndexOf(TestEntries.segmentFiles(dir).get(1).getFileName().toString()) - 1;
        long offset = TestEntries.offsetOf(1, lastIndexOfFirst, 1, 100);
        TestEntries.flipByte(first, Files.size(first) - 1);
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, SMALL));
        assertEquals(first, e.file());
        assertEquals(offset, e.offset());
    }

    @Test
    void missingSegmentIsAGap() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            log.sync();
        }
        List<Path> files = TestEntries.segmentFiles(dir);
        Files.delete(files.get(1));
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, SMALL));
        assertEquals(files.get(2), e.file());
        assertTrue(e.getMessage().contains("entries are missing"), e.getMessage());
    }

    @Test
    void missingFirstSegmentAfterTheCompactionPointIsAGap() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 100, 1, 100));
            log.sync();
        }
        Files.delete(TestEntries.segmentFiles(dir).get(0));
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, SMALL));
        assertTrue(e.getMessage().contains("compacted up to index 0"), e.getMessage());
    }

    @Test
    void foreignFileWithASegmentNameIsRefused() throws IOException {
        twentyEntries();
        Path foreign = dir.resolve(Segment.fileName(21));
        Files.writeString(foreign, "this is not a log segment, just some text that happens to be here");
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, StorageConfig.DEFAULTS));
        assertEquals(foreign, e.file());
        assertTrue(e.getMessage().contains("not a Raft log segment"), e.getMessage());
    }

    @Test
    void leftoverTempFilesAreRemoved() throws IOException {
        twentyEntries();
        Path temp = dir.resolve(Segment.fileName(21) + Durable.TEMP_SUFFIX);
        Files.write(temp, new byte[] {1, 2, 3});
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS)) {
            assertEquals(20, log.lastIndex());
            assertFalse(Files.exists(temp));
        }
    }

    @Test
    void damagedMetadataFileStopsTheOpenNamingIt() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 20, 1, 10));
            log.recordSnapshot(snapshot(10, 1));
        }
        Path meta = dir.resolve(LogMeta.FILE_NAME);
        TestEntries.flipByte(meta, 14);
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, SMALL));
        assertEquals(meta, e.file());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void compactionPointWhoseTermContradictsTheLogStopsTheOpen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.appendAndSync(range(1, 100, 1, 100));
        }
        new LogMeta(50, 9, snapshot(50, 9)).write(dir);
        List<Path> before = TestEntries.segmentFiles(dir);
        var e = assertThrows(StorageCorruptionException.class, () -> SegmentedLog.open(dir, SMALL));
        assertEquals(before, TestEntries.segmentFiles(dir), "a refused open must not delete segments");
        assertEquals(dir.resolve(LogMeta.FILE_NAME), e.file());
        assertTrue(e.getMessage().contains("records term 9 for the compacted entry 50"), e.getMessage());
    }

    @Test
    void compactionInterruptedBeforeSegmentsWereDeletedIsFinishedOnOpen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.append(range(1, 200, 1, 100));
            log.recordSnapshot(snapshot(150, 1));
        }
        Path copy = dir.resolveSibling(dir.getFileName() + "-before-compaction");
        Files.createDirectories(copy);
        for (Path p : TestEntries.segmentFiles(dir)) {
            Files.copy(p, copy.resolve(p.getFileName()));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL)) {
            log.compact(150);
        }
        // The state a crash right after the compaction point was written leaves behind.
        Files.copy(dir.resolve(LogMeta.FILE_NAME), copy.resolve(LogMeta.FILE_NAME),
                StandardCopyOption.REPLACE_EXISTING);
        int segmentsBefore = TestEntries.segmentFiles(copy).size();
        try (SegmentedLog log = SegmentedLog.open(copy, SMALL)) {
            assertEquals(151, log.firstIndex());
            assertEquals(200, log.lastIndex());
            assertEquals(range(151, 200, 1, 100), log.entries(151, 201, Long.MAX_VALUE));
        }
        assertTrue(TestEntries.segmentFiles(copy).size() < segmentsBefore);
        assertEquals(TestEntries.segmentFiles(dir).stream().map(Path::getFileName).toList(),
                TestEntries.segmentFiles(copy).stream().map(Path::getFileName).toList());
    }

    @Test
    void recordDamagedWhileOpenFailsTheReadNamingTheFile() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, StorageConfig.DEFAULTS.withCache(0, 0))) {
            log.append(range(1, 20, 1, DATA));
            log.sync();
            Path file = TestEntries.segmentFiles(dir).get(0);
            TestEntries.flipByte(file, TestEntries.offsetOf(1, 7, 1, DATA) + Frame.HEADER_BYTES + 1);
            var e = assertThrows(UncheckedIOException.class, () -> log.entries(5, 10, Long.MAX_VALUE));
            assertTrue(e.getCause() instanceof StorageCorruptionException, e.toString());
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("entry 7"), e.getMessage());
        }
    }
}
