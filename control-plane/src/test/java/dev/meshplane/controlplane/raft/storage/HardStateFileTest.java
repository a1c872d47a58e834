package dev.meshplane.controlplane.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardStateFileTest {
    @TempDir
    Path dir;

    static HardState state(long term, String vote, long commit) {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
    }

    @Test
    void missingFileMeansNeverVoted() throws IOException {
        HardStateFile file = HardStateFile.open(dir.resolve("hs"));
        assertEquals(HardState.getDefaultInstance(), file.load());
        assertFalse(Files.exists(file.path()));
    }

    @Test
    void savedStateIsReplacedWholeAndSurvivesReopen() throws IOException {
        Path path = dir.resolve("sub/hs");
        HardStateFile file = HardStateFile.open(path);
        for (long term = 1; term <= 20; term++) {
            file.save(state(term, "s" + term, term * 3));
        }
        assertEquals(state(20, "s20", 60), HardStateFile.open(path).load());
        try (Stream<Path> s = Files.list(path.getParent())) {
            assertEquals(List.of(path), s.toList(), "only the state file, no temp files");
        }
    }

    @Test
    void interruptedReplaceLeavesThePreviousState() throws IOException {
        Path path = dir.resolve("hs");
        HardStateFile.open(path).save(state(4, "a", 9));
        // A crash before the rename leaves a partial temp file next to the intact old one.
        Path temp = dir.resolve("hs" + Durable.TEMP_SUFFIX);
        Files.write(temp, new byte[] {0x4d, 0x50, 0x48});
        HardStateFile reopened = HardStateFile.open(path);
        assertEquals(state(4, "a", 9), reopened.load());
        assertFalse(Files.exists(temp));
    }

    @Test
    void damagedFileIsAnErrorNamingIt() throws IOException {
        Path path = dir.resolve("hs");
        HardStateFile.open(path).save(state(4, "a", 9));
        TestEntries.flipByte(path, 13);
        var e = assertThrows(StorageCorruptionException.class, () -> HardStateFile.open(path));
        assertEquals(path, e.file());
        assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains("checksum mismatch"),
                e.getMessage());
    }

    @Test
    void truncatedOrForeignFileIsAnError() throws IOException {
        Path path = dir.resolve("hs");
        HardStateFile.open(path).save(state(4, "a", 9));
        byte[] bytes = Files.readAllBytes(path);
        Files.write(path, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        var cut = assertThrows(StorageCorruptionException.class, () -> HardStateFile.open(path));
        assertTrue(cut.getMessage().contains("declares"), cut.getMessage());
        Files.writeString(path, "term=4 vote=a commit=9");
        var foreign = assertThrows(StorageCorruptionException.class, () -> HardStateFile.open(path));
        assertTrue(foreign.getMessage().contains("not a hard state file"), foreign.getMessage());
    }

    @Test
    void unsafeTransitionsAreRefused() throws IOException {
        HardStateFile file = HardStateFile.open(dir.resolve("hs"));
        file.save(state(5, "a", 10));
        var lowerTerm = assertThrows(IllegalArgumentException.class, () -> file.save(state(4, "a", 10)));
        assertTrue(lowerTerm.getMessage().contains("term 4"), lowerTerm.getMessage());
        var secondVote = assertThrows(IllegalArgumentException.class, () -> file.save(state(5, "b", 10)));
        assertTrue(secondVote.getMessage().contains("recorded vote for 'a'"), secondVote.getMessage());
        assertThrows(IllegalArgumentException.class, () -> file.save(state(5, "a", 9)));
        file.save(state(6, "", 11));
        file.save(state(6, "b", 12));
        assertEquals(state(6, "b", 12), HardStateFile.open(dir.resolve("hs")).load());
    }
}
