package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/** Entries whose content follows from their index, and file surgery for damage tests. */
final class TestEntries {
    private TestEntries() {}

    /** The entry a test writes at {@code index}: its data is derived from index and term only. */
    static RaftEntry entry(long index, long term, int dataBytes) {
        byte[] data = new byte[dataBytes];
        long x = index * 0x9E3779B97F4A7C15L + term;
        for (int i = 0; i < dataBytes; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            data[i] = (byte) x;
        }
        return RaftEntry.newBuilder().setIndex(index).setTerm(term).setType(EntryType.ENTRY_TYPE_NORMAL)
                .setData(ByteString.copyFrom(data)).build();
    }

    static List<RaftEntry> range(long from, long toInclusive, long term, int dataBytes) {
        List<RaftEntry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(i, term, dataBytes));
        }
        return out;
    }

    /** Byte offset of entry {@code index} in a segment of {@link #entry} records starting at {@code first}. */
    static long offsetOf(long first, long index, long term, int dataBytes) {
        long offset = Segment.HEADER_BYTES;
        for (long i = first; i < index; i++) {
            offset += Frame.size(entry(i, term, dataBytes).getSerializedSize());
        }
        return offset;
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            ch.write(one, offset);
        }
    }

    static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    /** Collects what a logger logs while open. */
    static final class CapturedLog extends Handler implements AutoCloseable {
        private final Logger logger;
        final List<LogRecord> records = new ArrayList<>();

        CapturedLog(Class<?> source) {
            this.logger = Logger.getLogger(source.getName());
            logger.addHandler(this);
        }

        synchronized List<String> messages() {
            return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
        }

        @Override
        public synchronized void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
