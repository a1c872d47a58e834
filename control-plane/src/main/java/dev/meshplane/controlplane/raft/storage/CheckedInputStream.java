package dev.meshplane.controlplane.raft.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads exactly {@code length} bytes from the underlying stream and fails at the end if their
 * CRC32C differs from the expected one, so that a state machine restoring from a snapshot learns
 * of damage before it reports success.
 */
final class CheckedInputStream extends FilterInputStream {
    private final CRC32C crc = new CRC32C();
    private final int expectedCrc;
    private final Path path;
    private final long startOffset;
    private final long length;
    private long read;
    private boolean verified;

    CheckedInputStream(InputStream in, long length, int expectedCrc, Path path, long startOffset) {
        super(in);
        this.length = length;
        this.expectedCrc = expectedCrc;
        this.path = path;
        this.startOffset = startOffset;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (read == length) {
            verify();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, length - read));
        if (n < 0) {
            throw new StorageCorruptionException(path, startOffset + read, "snapshot data ends after " + read
                    + " of " + length + " bytes");
        }
        crc.update(b, off, n);
        read += n;
        if (read == length) {
            verify();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be checked.
        byte[] buf = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), length - read);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void verify() throws StorageCorruptionException {
        if (verified) {
            return;
        }
        if ((int) crc.getValue() != expectedCrc) {
            throw new StorageCorruptionException(path, startOffset, String.format(
                    "snapshot data checksum mismatch (stored 0x%08x, computed 0x%08x)", expectedCrc,
                    (int) crc.getValue()));
        }
        verified = true;
    }
}
