package dev.meshplane.controlplane.raft.storage;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * File system steps whose durability the storage relies on. A rename or delete is only durable
 * once the directory holding it is fsynced, and a file's content only once the file is.
 */
final class Durable {
    /** Suffix of files being written; they never count as stored data and are removed on open. */
    static final String TEMP_SUFFIX = ".tmp";

    private Durable() {}

    /** Makes creations, renames and deletions inside {@code dir} survive a crash. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, READ)) {
            ch.force(true);
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that after a crash the file holds either
     * the old or the new content, never a mix: temp file, fsync, atomic rename, fsync directory.
     */
    static void replace(Path target, ByteBuffer content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
            ch.force(true);
        }
        moveIntoPlace(temp, target);
    }

    /** Atomically renames a fully written and fsynced temp file to its final name, durably. */
    static void moveIntoPlace(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Creates {@code dir} (and missing parents), making each creation durable. */
    static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path existing = absolute;
        while (!Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing.equals(absolute)) {
            return;
        }
        Files.createDirectories(absolute);
        // Each new directory's entry lives in its parent: sync the parents up to the old ancestor.
        for (Path p = absolute.getParent(); ; p = p.getParent()) {
            syncDirectory(p);
            if (p.equals(existing)) {
                break;
            }
        }
    }
}
