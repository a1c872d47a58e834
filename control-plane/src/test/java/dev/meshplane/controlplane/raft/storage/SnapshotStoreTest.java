package dev.meshplane.controlplane.raft.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.controlplane.raft.storage.TestEntries.CapturedLog;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {
    @TempDir
    Path dir;

    static SnapshotMetadata meta(long index, long term) {
        return SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
                .setConfState(ConfState.newBuilder().addVoters("s1").addVoters("s2").addVoters("s3").addLearners("s4"))
                .build();
    }

    /** Streams {@code bytes} of seeded data into {@code out} in uneven pieces; returns their SHA-256. */
    static byte[] writeData(OutputStream out, long seed, long bytes) throws IOException {
        Random random = new Random(seed);
        MessageDigest digest = sha256();
        byte[] piece = new byte[70_000];
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(left, 1 + random.nextInt(piece.length));
            random.nextBytes(piece);
            out.write(piece, 0, n);
            digest.update(piece, 0, n);
            left -= n;
        }
        return digest.digest();
    }

    static byte[] digestOf(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buf = new byte[50_000];
        for (int n; (n = in.read(buf)) >= 0; ) {
            digest.update(buf, 0, n);
        }
        return digest.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static StoredSnapshot store(SnapshotStore store, SnapshotMetadata meta, long bytes) throws IOException {
        try (SnapshotSink sink = store.create(meta)) {
            writeData(sink, meta.getIndex(), bytes);
            return sink.commit();
        }
    }

    private List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void streamedSnapshotRoundTripsAndSurvivesReopen() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        byte[] written;
        StoredSnapshot stored;
        try (SnapshotSink sink = store.create(meta(1000, 3))) {
            written = writeData(sink, 42, 6_000_000);
            stored = sink.commit();
        }
        assertEquals(meta(1000, 3), stored.metadata());
        assertEquals(6_000_000, stored.dataBytes());
        assertEquals(stored, store.latest().orElseThrow());
        try (InputStream in = stored.openData()) {
            assertArrayEquals(written, digestOf(in));
        }
        SnapshotStore reopened = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        StoredSnapshot again = reopened.latest().orElseThrow();
        assertEquals(stored, again);
        try (InputStream in = again.openData()) {
            assertArrayEquals(written, digestOf(in));
        }
        assertEquals(List.of(dir.resolve("snapshot-00000000000000001000-00000000000000000003.snap")), files(dir));
    }

    @Test
    void keepsOnlyTheNewestSnapshots() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS.withSnapshotsRetained(2));
        for (long i = 1; i <= 4; i++) {
            store(store, meta(i * 10, 1), 1000);
        }
        assertEquals(List.of(40L, 30L), store.list().stream().map(s -> s.metadata().getIndex()).toList());
        assertEquals(2, files(dir).size());
        var older = assertThrows(IllegalArgumentException.class, () -> store.create(meta(35, 1)));
        assertTrue(older.getMessage().contains("older than the stored snapshot at index 40"), older.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.create(meta(0, 1)));
    }

    @Test
    void snapshotReceivedInChunksIsVerifiedAndInstalled() throws IOException {
        SnapshotStore leader = SnapshotStore.open(dir.resolve("leader"), StorageConfig.DEFAULTS);
        StoredSnapshot source = store(leader, meta(500, 2), 3_000_000);
        SnapshotStore follower = SnapshotStore.open(dir.resolve("follower"), StorageConfig.DEFAULTS);
        StoredSnapshot installed;
        try (SnapshotInstall install = follower.beginInstall(source.metadata());
                InputStream file = source.openFile()) {
            sendInChunks(file, install, new Random(7));
            assertEquals(source.fileBytes(), install.bytesReceived());
            installed = install.finish();
        }
        assertEquals(source.metadata(), installed.metadata());
        assertEquals(installed, follower.latest().orElseThrow());
        try (InputStream a = source.openData(); InputStream b = installed.openData()) {
            assertArrayEquals(digestOf(a), digestOf(b));
        }
        assertEquals(1, files(dir.resolve("follower")).size(), "no temp file may be left");
    }

    private static void sendInChunks(InputStream file, SnapshotInstall install, Random random) throws IOException {
        long offset = 0;
        byte[] chunk = new byte[100_000];
        for (int n; (n = file.read(chunk, 0, 1 + random.nextInt(chunk.length))) >= 0; ) {
            install.write(offset, java.util.Arrays.copyOf(chunk, n));
            offset += n;
        }
    }

    @Test
    void chunkOutOfOrderIsRejectedAndAbortCleansUp() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        SnapshotInstall install = store.beginInstall(meta(9, 1));
        install.write(0, new byte[1000]);
        var e = assertThrows(IllegalArgumentException.class, () -> install.write(5000, new byte[10]));
        assertTrue(e.getMessage().contains("offset 5000") && e.getMessage().contains("1000 bytes received"),
                e.getMessage());
        install.abort();
        assertEquals(List.of(), files(dir));
        assertTrue(store.latest().isEmpty());
        assertThrows(IllegalStateException.class, () -> install.write(1000, new byte[1]));
    }

    @Test
    void damagedChunkIsRefusedAndNothingIsInstalled() throws IOException {
        SnapshotStore leader = SnapshotStore.open(dir.resolve("leader"), StorageConfig.DEFAULTS);
        StoredSnapshot source = store(leader, meta(77, 4), 200_000);
        byte[] file = Files.readAllBytes(source.path());
        file[(int) source.dataOffset() + 1234] ^= 0x10;
        SnapshotStore follower = SnapshotStore.open(dir.resolve("follower"), StorageConfig.DEFAULTS);
        SnapshotInstall install = follower.beginInstall(source.metadata());
        install.write(0, file);
        var e = assertThrows(StorageCorruptionException.class, install::finish);
        assertTrue(e.getMessage().contains("data checksum mismatch"), e.getMessage());
        assertEquals(List.of(), files(dir.resolve("follower")));
        assertTrue(follower.latest().isEmpty());
    }

    @Test
    void snapshotOtherThanTheAnnouncedOneIsRefused() throws IOException {
        SnapshotStore leader = SnapshotStore.open(dir.resolve("leader"), StorageConfig.DEFAULTS);
        StoredSnapshot source = store(leader, meta(77, 4), 1000);
        SnapshotStore follower = SnapshotStore.open(dir.resolve("follower"), StorageConfig.DEFAULTS);
        SnapshotInstall install = follower.beginInstall(meta(78, 4));
        install.write(0, Files.readAllBytes(source.path()));
        var e = assertThrows(StorageCorruptionException.class, install::finish);
        assertTrue(e.getMessage().contains("was announced"), e.getMessage());
        assertTrue(follower.latest().isEmpty());
    }

    @Test
    void snapshotCutShortIsRefused() throws IOException {
        SnapshotStore leader = SnapshotStore.open(dir.resolve("leader"), StorageConfig.DEFAULTS);
        StoredSnapshot source = store(leader, meta(77, 4), 100_000);
        byte[] file = Files.readAllBytes(source.path());
        SnapshotStore follower = SnapshotStore.open(dir.resolve("follower"), StorageConfig.DEFAULTS);
        SnapshotInstall install = follower.beginInstall(source.metadata());
        install.write(0, java.util.Arrays.copyOf(file, file.length - 500));
        var e = assertThrows(StorageCorruptionException.class, install::finish);
        assertTrue(e.getMessage().contains("trailer"), e.getMessage());
    }

    @Test
    void damagedNewestSnapshotIsSkippedWithAWarning() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        store(store, meta(10, 1), 50_000);
        StoredSnapshot newest = store(store, meta(20, 1), 50_000);
        TestEntries.flipByte(newest.path(), newest.dataOffset() + 100);
        try (CapturedLog captured = new CapturedLog(SnapshotStore.class)) {
            SnapshotStore reopened = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
            assertEquals(10, reopened.latest().orElseThrow().metadata().getIndex());
            assertEquals(1, captured.records.size());
            assertTrue(captured.messages().get(0).contains(newest.path().toString()), captured.messages().toString());
        }
    }

    @Test
    void foreignFileIsRefusedWhenNothingValidRemains() throws IOException {
        Path foreign = dir.resolve(SnapshotStore.fileName(meta(5, 1)));
        Files.writeString(foreign, "just a text file that has a snapshot's name and is long enough to be read");
        var e = assertThrows(StorageCorruptionException.class, () -> SnapshotStore.open(dir, StorageConfig.DEFAULTS));
        assertTrue(e.getMessage().contains(foreign.toString()) && e.getMessage().contains("not a Meshplane snapshot"),
                e.getMessage());
        var direct = assertThrows(StorageCorruptionException.class, () -> SnapshotStore.verify(foreign));
        assertEquals(foreign, direct.file());
    }

    @Test
    void renamedSnapshotIsRefused() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        StoredSnapshot s = store(store, meta(10, 1), 100);
        Path renamed = dir.resolve(SnapshotStore.fileName(meta(11, 1)));
        Files.move(s.path(), renamed);
        var e = assertThrows(StorageCorruptionException.class, () -> SnapshotStore.open(dir, StorageConfig.DEFAULTS));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void damageAfterOpenIsCaughtWhileReadingTheData() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        StoredSnapshot s = store(store, meta(10, 1), 300_000);
        TestEntries.flipByte(s.path(), s.dataOffset() + 299_999);
        try (InputStream in = s.openData()) {
            var e = assertThrows(StorageCorruptionException.class, () -> digestOf(in));
            assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        }
    }

    @Test
    void sinkClosedWithoutCommitLeavesNothing() throws IOException {
        SnapshotStore store = SnapshotStore.open(dir, StorageConfig.DEFAULTS);
        try (SnapshotSink sink = store.create(meta(3, 1))) {
            sink.write(new byte[1000]);
        }
        assertEquals(List.of(), files(dir));
        assertTrue(store.latest().isEmpty());
    }
}
