package dev.meshplane.sidecar.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.AgentState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The agent's persisted state: one file, replaced atomically (write a temporary file, fsync it,
 * rename it over the old one, fsync the directory), so a crash leaves either the old or the new
 * state and never a torn one. Layout: 4-byte magic, 4-byte CRC32C of the body, the body (an
 * {@link AgentState} protobuf).
 */
final class StateFile {
    static final String NAME = "agent-state.pb";
    private static final int MAGIC = 0x4d504153; // "MPAS"
    static final int VERSION = 1;

    private final Path dir;
    private final Path file;

    StateFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(NAME);
    }

    Path path() {
        return file;
    }

    /** The stored state, or empty when there is none yet; a damaged file is an error naming it. */
    Optional<AgentState> load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length < 8 || ByteBuffer.wrap(bytes).getInt(0) != MAGIC) {
            throw new IllegalStateException(file + " is not an agent state file (bad header); move it away to start empty");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 8, bytes.length - 8);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes).getInt(4)) {
            throw new IllegalStateException(file + " is damaged (checksum mismatch); move it away to start empty");
        }
        try {
            AgentState state = AgentState.parseFrom(ByteBuffer.wrap(bytes, 8, bytes.length - 8));
            if (state.getVersion() != VERSION) {
                throw new IllegalStateException(file + " has format version " + state.getVersion()
                        + "; this agent reads version " + VERSION);
            }
            return Optional.of(state);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(file + " is damaged: " + e.getMessage(), e);
        }
    }

    void save(AgentState state) throws IOException {
        Files.createDirectories(dir);
        byte[] body = state.toBuilder().setVersion(VERSION).build().toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer buf = ByteBuffer.allocate(8 + body.length).putInt(MAGIC).putInt((int) crc.getValue()).put(body).flip();
        Path tmp = dir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the data dir " + dir + " does not support atomic renames", e);
        }
        // The rename is durable only once the directory entry is.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
