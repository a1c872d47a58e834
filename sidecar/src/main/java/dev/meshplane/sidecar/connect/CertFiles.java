package dev.meshplane.sidecar.connect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a service's {@code cert.pem} (leaf chain), {@code key.pem} and {@code roots.pem} for
 * applications that do mTLS themselves, so that a reader never sees a certificate with another
 * certificate's key. The three files of one version go into a new directory; one rename of the
 * {@code ..data} symlink switches all three at once (Kubernetes' atomic-writer layout); the
 * names applications open are fixed symlinks through {@code ..data}. Each version's files get
 * a later modification time than the previous one's, so a reloader that compares times before
 * and after reading (grpc-java's file_watcher provider) notices a switch in the middle of its
 * read and reads again.
 */
final class CertFiles {
    static final String CERT = "cert.pem";
    static final String KEY = "key.pem";
    static final String ROOTS = "roots.pem";
    private static final String DATA = "..data";
    private static final String VERSION_PREFIX = "..v";

    private final Path dir;
    private long lastMtimeMillis;
    private long version;

    CertFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    synchronized void write(String certPem, String keyPem, String rootsPem) throws IOException {
        Files.createDirectories(dir);
        Path versionDir = dir.resolve(VERSION_PREFIX + System.currentTimeMillis() + "-" + (++version));
        Files.createDirectory(versionDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        long mtime = Math.max(System.currentTimeMillis(), lastMtimeMillis + 1);
        lastMtimeMillis = mtime;
        writeSynced(versionDir.resolve(CERT), certPem, "rw-r--r--", mtime);
        writeSynced(versionDir.resolve(KEY), keyPem, "rw-------", mtime);
        writeSynced(versionDir.resolve(ROOTS), rootsPem, "rw-r--r--", mtime);
        syncDirectory(versionDir);
        Path data = dir.resolve(DATA);
        Path previous = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path tmpLink = dir.resolve(DATA + ".tmp");
        Files.deleteIfExists(tmpLink);
        Files.createSymbolicLink(tmpLink, versionDir.getFileName());
        Files.move(tmpLink, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : List.of(CERT, KEY, ROOTS)) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.deleteIfExists(link);
                try {
                    Files.createSymbolicLink(link, Path.of(DATA, name));
                } catch (FileAlreadyExistsException raced) {
                    // Another writer made it: it points at the same place.
                }
            }
        }
        syncDirectory(dir);
        if (previous != null && !previous.equals(versionDir)) {
            deleteTree(previous);
        }
    }

    private static void writeSynced(Path file, String text, String perms, long mtimeMillis) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms)));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeMillis));
    }

    private static void syncDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.list(p)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(p);
    }

    /** Removes the service's files (the service left the node). */
    synchronized void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path e : entries.toList()) {
                if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(e);
                } else {
                    Files.deleteIfExists(e);
                }
            }
        }
        Files.deleteIfExists(dir);
    }
}
