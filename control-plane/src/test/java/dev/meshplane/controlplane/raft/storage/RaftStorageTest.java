package dev.meshplane.controlplane.raft.storage;

import static dev.meshplane.controlplane.raft.storage.SnapshotStoreTest.meta;
import static dev.meshplane.controlplane.raft.storage.SnapshotStoreTest.store;
import static dev.meshplane.controlplane.raft.storage.TestEntries.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.HardState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftStorageTest {
    static final StorageConfig CONFIG = SegmentedLogTest.SMALL;

    @TempDir
    Path dataDir;

    @Test
    void freshStorageIsEmptyAndKeepsWhatIsWritten() throws IOException {
        try (RaftStorage storage = RaftStorage.open(dataDir, CONFIG)) {
            assertEquals(0, storage.log().lastIndex());
            assertEquals(HardState.getDefaultInstance(), storage.hardState().load());
            assertTrue(storage.snapshots().latest().isEmpty());
            storage.log().appendAndSync(range(1, 10, 1, 10));
            storage.hardState().save(HardStateFileTest.state(1, "s1", 10));
        }
        try (RaftStorage storage = RaftStorage.open(dataDir, CONFIG)) {
            assertEquals(10, storage.log().lastIndex());
            assertEquals(HardStateFileTest.state(1, "s1", 10), storage.hardState().load());
            assertTrue(Files.isDirectory(dataDir.resolve("raft/log")));
            assertTrue(Files.isDirectory(dataDir.resolve("raft/snapshots")));
        }
    }

    @Test
    void snapshotStoredButNotRecordedIsRecordedOnOpen() throws IOException {
        try (RaftStorage storage = RaftStorage.open(dataDir, CONFIG)) {
            storage.log().appendAndSync(range(1, 100, 1, 10));
            store(storage.snapshots(), meta(60, 1), 1000);
        }
        try (RaftStorage storage = RaftStorage.open(dataDir, CONFIG)) {
            assertEquals(meta(60, 1), storage.log().snapshotMetadata());
            assertEquals(1, storage.log().firstIndex(), "recording must not compact");
            storage.log().compact(60);
            assertEquals(61, storage.log().firstIndex());
        }
    }

    @Test
    void installedSnapshotNotYetRestoredIsRestoredOnOpen() throws IOException {
        Path leaderDir = dataDir.resolve("leader");
        SnapshotStore leader = SnapshotStore.open(leaderDir, CONFIG);
        StoredSnapshot source = store(leader, meta(50, 2), 5000);
        Path followerDir = dataDir.resolve("follower");
        try (RaftStorage storage = RaftStorage.open(followerDir, CONFIG)) {
            storage.log().appendAndSync(range(1, 10, 1, 10));
            try (SnapshotInstall install = storage.snapshots().beginInstall(source.metadata());
                    InputStream in = source.openFile()) {
                install.write(0, in.readAllBytes());
                install.finish();
            }
        }
        try (RaftStorage storage = RaftStorage.open(followerDir, CONFIG)) {
            assertEquals(51, storage.log().firstIndex());
            assertEquals(50, storage.log().lastIndex());
            assertEquals(2, storage.log().term(50));
        }
    }

    @Test
    void missingSnapshotTheLogReliesOnStopsTheOpen() throws IOException {
        try (RaftStorage storage = RaftStorage.open(dataDir, CONFIG)) {
            storage.log().appendAndSync(range(1, 100, 1, 10));
            StoredSnapshot s = store(storage.snapshots(), meta(60, 1), 1000);
            storage.log().recordSnapshot(s.metadata());
            storage.log().compact(60);
            Files.delete(s.path());
        }
        var e = assertThrows(StorageCorruptionException.class, () -> RaftStorage.open(dataDir, CONFIG));
        assertTrue(e.getMessage().contains("records a snapshot at index 60") && e.getMessage().contains("missing"),
                e.getMessage());
    }
}
