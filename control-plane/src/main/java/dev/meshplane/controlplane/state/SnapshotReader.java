package dev.meshplane.controlplane.state;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.SnapshotHeader;
import dev.meshplane.proto.internal.v1.SnapshotRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads a snapshot written by {@link StateSnapshot} into fresh tables, checking everything:
 * magic, version, every record, references between records, the count and the checksum. A
 * file that fails any check is refused with {@link SnapshotException}; nothing is half-loaded.
 */
public final class SnapshotReader {
    /** Snapshots hold whole KV values, so a record can be as big as the largest value allowed. */
    static final int MAX_RECORD_BYTES = 80 * 1024 * 1024;

    /** A snapshot read and checked, ready to replace the state. */
    public static final class Restored {
        final StateStore.Tables tables;
        private final long index;
        private final long records;

        Restored(StateStore.Tables tables, long index, long records) {
            this.tables = tables;
            this.index = index;
            this.records = records;
        }

        /** The log index the snapshot's state reflects. */
        public long index() {
            return index;
        }

        public long records() {
            return records;
        }
    }

    /** The file is not a usable snapshot; the message says why. */
    public static final class SnapshotException extends Exception {
        SnapshotException(String message) {
            super(message, null, false, false);
        }
    }

    private SnapshotReader() {}

    public static Restored read(InputStream in) throws IOException, SnapshotException {
        // The checksum covers the bytes as consumed (CodedInputStream reads ahead, so a wrapping
        // stream would not know where the trailer starts).
        CRC32C crc = new CRC32C();
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit(Integer.MAX_VALUE);
        byte[] magic = readExactly(coded, StateSnapshot.MAGIC.length);
        if (magic == null || !Arrays.equals(Arrays.copyOf(magic, 6), Arrays.copyOf(StateSnapshot.MAGIC, 6))) {
            throw new SnapshotException("not a Meshplane snapshot (the file does not start with MPSNAP)");
        }
        if (magic[6] != StateSnapshot.MAGIC[6] || magic[7] != StateSnapshot.MAGIC[7]) {
            throw new SnapshotException("snapshot format " + magic[6] + "." + magic[7]
                    + " is not one this server reads (it reads 0.1)");
        }
        crc.update(magic);
        SnapshotHeader header;
        try {
            header = SnapshotHeader.parseFrom(checksummed(crc, readDelimited(coded, "header")));
        } catch (InvalidProtocolBufferException e) {
            throw new SnapshotException("corrupt snapshot: unreadable header");
        }
        if (header.getFormatVersion() != StateSnapshot.FORMAT_VERSION) {
            throw new SnapshotException("snapshot format version " + header.getFormatVersion() + " is not supported");
        }
        StateStore.Tables tables = new StateStore.Tables();
        RecordLoader loader = new RecordLoader(tables);
        long count = 0;
        while (true) {
            long crcBefore = crc.getValue();
            byte[] bytes = readDelimited(coded, "record " + (count + 1));
            SnapshotRecord record;
            try {
                record = SnapshotRecord.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new SnapshotException("corrupt snapshot: record " + (count + 1) + " is unreadable");
            }
            if (record.hasTrailer()) {
                if (record.getTrailer().getRecordCount() != count) {
                    throw new SnapshotException("corrupt snapshot: the trailer counts " + record.getTrailer()
                            .getRecordCount() + " records but the file holds " + count);
                }
                if ((int) crcBefore != record.getTrailer().getCrc32C()) {
                    throw new SnapshotException("corrupt snapshot: checksum mismatch");
                }
                if (!coded.isAtEnd()) {
                    throw new SnapshotException("corrupt snapshot: data after the trailer");
                }
                break;
            }
            checksummed(crc, bytes);
            String problem = loader.load(record);
            if (problem != null) {
                throw new SnapshotException("corrupt snapshot: record " + (count + 1) + ": " + problem);
            }
            count++;
        }
        return new Restored(tables, header.getIndex(), count);
    }

    private static byte[] varint(int value) {
        byte[] buf = new byte[5];
        int n = 0;
        while ((value & ~0x7f) != 0) {
            buf[n++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf[n++] = (byte) value;
        return Arrays.copyOf(buf, n);
    }

    /** Feeds a record as it was framed (length, then bytes) to the checksum. */
    private static byte[] checksummed(CRC32C crc, byte[] bytes) {
        crc.update(varint(bytes.length));
        crc.update(bytes);
        return bytes;
    }

    private static byte[] readDelimited(CodedInputStream in, String what) throws IOException, SnapshotException {
        if (in.isAtEnd()) {
            throw new SnapshotException("truncated snapshot: it ends before its " + (what.equals("header") ? "header"
                    : "trailer"));
        }
        int length;
        try {
            length = in.readRawVarint32();
        } catch (InvalidProtocolBufferException e) {
            throw new SnapshotException("corrupt snapshot: bad length before " + what);
        }
        if (length < 0 || length > MAX_RECORD_BYTES) {
            throw new SnapshotException("corrupt snapshot: " + what + " claims " + length + " bytes");
        }
        byte[] bytes = readExactly(in, length);
        if (bytes == null) {
            throw new SnapshotException("truncated snapshot: it ends inside " + what);
        }
        return bytes;
    }

    private static byte[] readExactly(CodedInputStream in, int n) throws IOException {
        try {
            return in.readRawBytes(n);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
