package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Raft's term, vote and commit index in one small file. Every {@link #save} replaces the whole
 * file atomically (temp file, fsync, rename, directory fsync), so a crash leaves the previous or
 * the new state, and a CRC32C makes a damaged file an error that names it rather than a silent
 * reset of the term or vote (which could let this server vote twice in one term).
 */
public final class HardStateFile {
    /** "MPHS". */
    private static final int MAGIC = 0x4d504853;

    private final ChecksummedFile file;
    private HardState current;

    private HardStateFile(ChecksummedFile file, HardState current) {
        this.file = file;
        this.current = current;
    }

    /**
     * Opens (without creating) the hard state stored at {@code path}; a missing file means a
     * server that has never voted: term 0, no vote, commit 0.
     */
    public static HardStateFile open(Path path) throws IOException {
        Durable.createDirectories(path.toAbsolutePath().getParent());
        Files.deleteIfExists(path.resolveSibling(path.getFileName() + Durable.TEMP_SUFFIX));
        ChecksummedFile file = new ChecksummedFile(path, MAGIC, "hard state");
        byte[] payload = file.read().orElse(null);
        if (payload == null) {
            return new HardStateFile(file, HardState.getDefaultInstance());
        }
        try {
            return new HardStateFile(file, HardState.parseFrom(payload));
        } catch (InvalidProtocolBufferException e) {
            throw new StorageCorruptionException(path, 12, "hard state payload does not parse: " + e.getMessage());
        }
    }

    /** The last saved state (term 0, no vote, commit 0 if none was ever saved). */
    public synchronized HardState load() {
        return current;
    }

    /**
     * Durably replaces the stored state; returns once it is on disk. Refuses a state that would
     * move the term or commit index backwards or change the vote within a term: each is a bug in
     * the caller that could break Raft's safety, so it is stopped here rather than persisted.
     */
    public synchronized void save(HardState state) throws IOException {
        if (state.equals(current)) {
            return;
        }
        if (state.getTerm() < current.getTerm()) {
            throw new IllegalArgumentException("hard state term " + state.getTerm()
                    + " is lower than the stored term " + current.getTerm());
        }
        if (state.getTerm() == current.getTerm() && !current.getVote().isEmpty()
                && !current.getVote().equals(state.getVote())) {
            throw new IllegalArgumentException("vote for '" + state.getVote() + "' in term " + state.getTerm()
                    + " would replace the recorded vote for '" + current.getVote() + "'");
        }
        if (state.getCommit() < current.getCommit()) {
            throw new IllegalArgumentException("hard state commit " + state.getCommit()
                    + " is lower than the stored commit " + current.getCommit());
        }
        file.write(state.toByteArray());
        current = state;
    }

    /** Where the state is stored. */
    public Path path() {
        return file.path();
    }
}
