package dev.meshplane.controlplane.raft.storage;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * State-machine snapshots in one directory, one file each ({@code snapshot-<index>-<term>.snap},
 * format in {@link SnapshotFormat}). Files are written under a temp name, fsynced, renamed into
 * place and the directory fsynced, so a snapshot either exists whole or not at all. The newest
 * {@link StorageConfig#snapshotsRetained()} are kept.
 *
 * <p>Opening verifies every snapshot file completely. A damaged newest file is skipped with a
 * WARNING naming it (an older valid one is then the latest; {@link RaftStorage} checks that the
 * log still reaches back to it); if snapshot files exist but none is valid, the open fails.
 */
public final class SnapshotStore {
    private static final Logger LOG = Logger.getLogger(SnapshotStore.class.getName());
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
    private static final Comparator<StoredSnapshot> NEWEST_FIRST = Comparator
            .comparingLong((StoredSnapshot s) -> s.metadata().getIndex())
            .thenComparingLong(s -> s.metadata().getTerm()).reversed();

    private final Path dir;
    private final int retain;
    /** Valid snapshots, newest first. */
    private final List<StoredSnapshot> snapshots;

    private SnapshotStore(Path dir, int retain, List<StoredSnapshot> snapshots) {
        this.dir = dir;
        this.retain = retain;
        this.snapshots = snapshots;
    }

    /** Opens (creating if needed) the store in {@code dir}, verifying the snapshots in it. */
    public static SnapshotStore open(Path dir, StorageConfig config) throws IOException {
        Durable.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path p : (Iterable<Path>) listing::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(Durable.TEMP_SUFFIX)) {
                    LOG.info(() -> "snapshot store: removing " + p + ", left over from an interrupted write");
                    Files.delete(p);
                } else if (NAME.matcher(name).matches()) {
                    files.add(p);
                }
            }
        }
        List<StoredSnapshot> valid = new ArrayList<>();
        StorageCorruptionException newestProblem = null;
        for (Path p : files.stream().sorted(Comparator.reverseOrder()).toList()) {
            try {
                valid.add(verifyNamed(p));
            } catch (StorageCorruptionException e) {
                LOG.warning("snapshot store: ignoring damaged snapshot: " + e.getMessage());
                newestProblem = newestProblem == null ? e : newestProblem;
            }
        }
        if (valid.isEmpty() && newestProblem != null) {
            throw new StorageCorruptionException(newestProblem.file(), newestProblem.offset(),
                    "no valid snapshot in " + dir + "; the newest fails with: " + newestProblem.getMessage());
        }
        valid.sort(NEWEST_FIRST);
        return new SnapshotStore(dir, config.snapshotsRetained(), valid);
    }

    /**
     * Verifies a snapshot file completely (format, checksums, and that its name matches its
     * metadata); a damaged or foreign file fails with a {@link StorageCorruptionException} naming it.
     */
    public static StoredSnapshot verify(Path file) throws IOException {
        return verifyNamed(file);
    }

    private static StoredSnapshot verifyNamed(Path file) throws IOException {
        StoredSnapshot s = SnapshotFormat.verify(file);
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches() && (Long.parseLong(m.group(1)) != s.metadata().getIndex()
                || Long.parseLong(m.group(2)) != s.metadata().getTerm())) {
            throw new StorageCorruptionException(file, 12, "file name does not match the snapshot inside (index "
                    + s.metadata().getIndex() + ", term " + s.metadata().getTerm() + ")");
        }
        return s;
    }

    /** The newest valid snapshot, if any. */
    public synchronized Optional<StoredSnapshot> latest() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(0));
    }

    /** All valid snapshots, newest first. */
    public synchronized List<StoredSnapshot> list() {
        return List.copyOf(snapshots);
    }

    /** Starts a snapshot the local state machine streams into the returned sink. */
    public SnapshotSink create(SnapshotMetadata metadata) throws IOException {
        checkNewer(metadata);
        Path temp = newTempFile(metadata);
        FileChannel channel = FileChannel.open(temp, WRITE, READ);
        try {
            return new SnapshotSink(this, metadata, temp, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Starts receiving a snapshot from the leader in chunks. */
    public SnapshotInstall beginInstall(SnapshotMetadata metadata) throws IOException {
        checkNewer(metadata);
        Path temp = newTempFile(metadata);
        return new SnapshotInstall(this, metadata, temp, FileChannel.open(temp, WRITE, READ));
    }

    /** Renames a complete, fsynced temp file into place and drops snapshots beyond the retention. */
    synchronized StoredSnapshot install(Path temp, StoredSnapshot written) throws IOException {
        checkNewer(written.metadata());
        Path target = dir.resolve(fileName(written.metadata()));
        Durable.moveIntoPlace(temp, target);
        StoredSnapshot stored = new StoredSnapshot(target, written.metadata(), written.dataOffset(),
                written.dataBytes(), written.dataCrc());
        snapshots.removeIf(s -> s.path().equals(target));
        snapshots.add(0, stored);
        prune();
        return stored;
    }

    private void prune() throws IOException {
        boolean deleted = false;
        while (snapshots.size() > retain) {
            Files.deleteIfExists(snapshots.remove(snapshots.size() - 1).path());
            deleted = true;
        }
        if (deleted) {
            Durable.syncDirectory(dir);
        }
    }

    private synchronized void checkNewer(SnapshotMetadata metadata) {
        if (metadata.getIndex() < 1 || metadata.getTerm() < 1) {
            throw new IllegalArgumentException("snapshot index " + metadata.getIndex() + " and term "
                    + metadata.getTerm() + " must both be at least 1");
        }
        if (!snapshots.isEmpty()) {
            SnapshotMetadata newest = snapshots.get(0).metadata();
            boolean sameOne = newest.getIndex() == metadata.getIndex() && newest.getTerm() == metadata.getTerm();
            if (metadata.getIndex() < newest.getIndex() || (metadata.getIndex() == newest.getIndex() && !sameOne)) {
                throw new IllegalArgumentException("snapshot at index " + metadata.getIndex() + " term "
                        + metadata.getTerm()
                        + (metadata.getIndex() == newest.getIndex() ? " conflicts with" : " is older than")
                        + " the stored snapshot at index " + newest.getIndex()
                        + " term " + newest.getTerm());
            }
        }
    }

    private Path newTempFile(SnapshotMetadata metadata) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(fileName(metadata) + "." + System.nanoTime() + Durable.TEMP_SUFFIX);
            try {
                Files.newByteChannel(temp, CREATE_NEW, WRITE).close();
                return temp;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    static String fileName(SnapshotMetadata metadata) {
        return String.format("snapshot-%020d-%020d.snap", metadata.getIndex(), metadata.getTerm());
    }

    /** The directory holding the snapshot files. */
    public Path directory() {
        return dir;
    }
}
