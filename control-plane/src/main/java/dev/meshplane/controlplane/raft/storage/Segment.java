package dev.meshplane.controlplane.raft.storage;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One file of the log, holding a contiguous run of entries starting at {@link #firstIndex()}:
 *
 * <pre>
 * header: u32 magic "MPLG" | u32 version (1) | u64 first index | u32 CRC32C of the 16 bytes before
 * then:   frames (see {@link Frame}) back to back, nothing after the last one
 * </pre>
 * Named {@code <first index, 20 digits>.seg} so that names sort in log order. The byte offset of
 * every frame is kept in memory, so a read by index is one positional read.
 */
final class Segment {
    static final int HEADER_BYTES = 20;
    static final String SUFFIX = ".seg";
    /** "MPLG". */
    private static final int MAGIC = 0x4d504c47;
    private static final int VERSION = 1;

    private final Path path;
    private final long firstIndex;
    private final FileChannel channel;
    /** offsets[k] is where entry firstIndex + k starts; offsets[count] is the end of the data. */
    private int[] offsets;
    private int count;

    Segment(Path path, long firstIndex, FileChannel channel, int[] offsets, int count) {
        this.path = path;
        this.firstIndex = firstIndex;
        this.channel = channel;
        this.offsets = offsets;
        this.count = count;
    }

    static String fileName(long firstIndex) {
        return String.format("%020d%s", firstIndex, SUFFIX);
    }

    /** The first index a segment file name announces, or -1 if the name is not a segment's. */
    static long firstIndexOf(String fileName) {
        if (fileName.length() != 20 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(fileName.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(fileName, 0, 20, 10);
    }

    /** Creates an empty segment durably: header written and fsynced before the file gets its name. */
    static Segment create(Path dir, long firstIndex) throws IOException {
        Path path = dir.resolve(fileName(firstIndex));
        Path temp = dir.resolve(fileName(firstIndex) + Durable.TEMP_SUFFIX);
        FileChannel channel = FileChannel.open(temp, CREATE, TRUNCATE_EXISTING, READ, WRITE);
        try {
            ByteBuffer header = header(firstIndex);
            while (header.hasRemaining()) {
                channel.write(header);
            }
            channel.force(true);
            Durable.moveIntoPlace(temp, path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Segment(path, firstIndex, channel, new int[] {HEADER_BYTES, 0, 0, 0}, 0);
    }

    static ByteBuffer header(long firstIndex) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES);
        buf.putInt(MAGIC).putInt(VERSION).putLong(firstIndex);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 16);
        buf.putInt((int) crc.getValue());
        return buf.flip();
    }

    /** Validates the header of a segment file read into {@code buf}; returns its first index. */
    static long readHeader(Path path, ByteBuffer buf) throws StorageCorruptionException {
        if (buf.limit() < HEADER_BYTES) {
            throw new StorageCorruptionException(path, 0, "file is " + buf.limit()
                    + " bytes, shorter than the " + HEADER_BYTES + "-byte segment header");
        }
        int magic = buf.getInt(0);
        if (magic != MAGIC) {
            throw new StorageCorruptionException(path, 0, String.format(
                    "not a Raft log segment: magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = buf.getInt(4);
        if (version != VERSION) {
            throw new StorageCorruptionException(path, 4, "unsupported segment version " + version
                    + " (this build reads version " + VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(0, 16));
        if (buf.getInt(16) != (int) crc.getValue()) {
            throw new StorageCorruptionException(path, 16, "segment header checksum mismatch");
        }
        return buf.getLong(8);
    }

    Path path() {
        return path;
    }

    long firstIndex() {
        return firstIndex;
    }

    /** Index of the last entry, or firstIndex - 1 when the segment is empty. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    int count() {
        return count;
    }

    /** Bytes in use: header plus frames. */
    int size() {
        return offsets[count];
    }

    boolean holds(long index) {
        return index >= firstIndex && index < firstIndex + count;
    }

    /** Payload bytes of entry {@code index}, known without reading the file. */
    int payloadSize(long index) {
        int k = (int) (index - firstIndex);
        return offsets[k + 1] - offsets[k] - Frame.HEADER_BYTES;
    }

    /**
     * Appends {@code n} frames, laid out back to back in {@code frames} (position to limit) with the
     * given sizes, at the end of the file. Not durable until {@link #force()}.
     */
    void append(ByteBuffer frames, int[] frameSizes, int n) throws IOException {
        long position = size();
        while (frames.hasRemaining()) {
            position += channel.write(frames, position);
        }
        if (offsets.length < count + n + 1) {
            offsets = Arrays.copyOf(offsets, Math.max(offsets.length * 2, count + n + 1));
        }
        for (int i = 0; i < n; i++) {
            offsets[count + 1] = offsets[count] + frameSizes[i];
            count++;
        }
    }

    /** Reads entries [lo, hi), all held here, checking every frame's CRC and index. */
    List<RaftEntry> read(long lo, long hi) throws IOException {
        int start = offsets[(int) (lo - firstIndex)];
        int end = offsets[(int) (hi - firstIndex)];
        ByteBuffer buf = ByteBuffer.allocate(end - start);
        while (buf.hasRemaining()) {
            if (channel.read(buf, start + buf.position()) < 0) {
                throw new StorageCorruptionException(path, start + buf.position(), "file ends before entry data");
            }
        }
        buf.flip();
        List<RaftEntry> out = new ArrayList<>((int) (hi - lo));
        int pos = 0;
        for (long index = lo; index < hi; index++) {
            int length = payloadSize(index);
            if (Frame.payloadLength(buf, pos) != length || Frame.index(buf, pos) != index
                    || Frame.storedCrc(buf, pos) != Frame.crc(buf, pos, length)) {
                throw new StorageCorruptionException(path, start + pos, "entry " + index
                        + " no longer matches its checksum (damaged after it was written)");
            }
            try {
                out.add(RaftEntry.parseFrom(Frame.payload(buf, pos, length)));
            } catch (InvalidProtocolBufferException e) {
                throw new StorageCorruptionException(path, start + pos, "entry " + index
                        + " does not parse: " + e.getMessage());
            }
            pos += Frame.HEADER_BYTES + length;
        }
        return out;
    }

    /** Durably removes entries at and after {@code index}. */
    void truncateFrom(long index) throws IOException {
        int k = (int) (index - firstIndex);
        channel.truncate(offsets[k]);
        channel.force(true);
        count = k;
    }

    /** Makes everything written so far durable (data; the size is flushed as data needs it). */
    void force() throws IOException {
        channel.force(false);
    }

    void close() throws IOException {
        channel.close();
    }

    /** Closes and deletes the file; the caller fsyncs the directory. */
    void delete() throws IOException {
        channel.close();
        Files.delete(path);
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + firstIndex + ".." + lastIndex() + "]";
    }
}
