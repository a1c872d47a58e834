package dev.meshplane.controlplane.raft.storage;

import com.google.protobuf.CodedOutputStream;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One log record inside a segment file:
 *
 * <pre>
 * u32 payload length | u64 entry index | u32 CRC32C | payload (a serialized RaftEntry)
 * </pre>
 * Big-endian. The CRC covers the first 12 header bytes and the payload, so a damaged length or
 * index is caught as surely as a damaged payload. The index in the header lets recovery tell a
 * stray valid-looking frame from the next record, and makes a gap visible without parsing.
 */
final class Frame {
    static final int HEADER_BYTES = 16;
    private static final int CRC_OFFSET = 12;

    private Frame() {}

    /** Bytes a frame holding a payload of {@code payloadBytes} occupies. */
    static int size(int payloadBytes) {
        return HEADER_BYTES + payloadBytes;
    }

    /** Writes {@code entry} as a frame at {@code buf}'s position and advances past it. */
    static void write(ByteBuffer buf, RaftEntry entry, int payloadBytes) throws IOException {
        int start = buf.position();
        buf.putInt(payloadBytes).putLong(entry.getIndex()).putInt(0);
        CodedOutputStream out = CodedOutputStream.newInstance(buf.slice(start + HEADER_BYTES, payloadBytes));
        entry.writeTo(out);
        out.flush();
        out.checkNoSpaceLeft();
        buf.putInt(start + CRC_OFFSET, crc(buf, start, payloadBytes));
        buf.position(start + HEADER_BYTES + payloadBytes);
    }

    /** The CRC a frame at {@code start} with {@code payloadBytes} of payload should carry. */
    static int crc(ByteBuffer buf, int start, int payloadBytes) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(start, CRC_OFFSET));
        crc.update(buf.slice(start + HEADER_BYTES, payloadBytes));
        return (int) crc.getValue();
    }

    static int payloadLength(ByteBuffer buf, int start) {
        return buf.getInt(start);
    }

    static long index(ByteBuffer buf, int start) {
        return buf.getLong(start + 4);
    }

    static int storedCrc(ByteBuffer buf, int start) {
        return buf.getInt(start + CRC_OFFSET);
    }

    /** The payload of a frame whose header was validated; a view, not a copy. */
    static ByteBuffer payload(ByteBuffer buf, int start, int payloadBytes) {
        return buf.slice(start + HEADER_BYTES, payloadBytes);
    }

    /**
     * Whether a whole, CRC-valid frame starts at {@code start} in {@code buf} (which ends at its
     * limit), with an index in {@code [minIndex, maxIndex]}. Used to look for intact records
     * after a damaged one.
     */
    static boolean isValidAt(ByteBuffer buf, int start, long minIndex, long maxIndex) {
        if (buf.limit() - start < HEADER_BYTES) {
            return false;
        }
        int length = payloadLength(buf, start);
        if (length <= 0 || length > buf.limit() - start - HEADER_BYTES) {
            return false;
        }
        long index = index(buf, start);
        if (index < minIndex || index > maxIndex) {
            return false;
        }
        return storedCrc(buf, start) == crc(buf, start, length);
    }
}
