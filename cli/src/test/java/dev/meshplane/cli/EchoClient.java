package dev.meshplane.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/** One connection to an echo server (directly or through a sidecar): send bytes, expect them back. */
final class EchoClient implements AutoCloseable {
    private final Socket socket;

    EchoClient(int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMillis);
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
    }

    /** Sends {@code payload} and reads as many bytes back; throws when the echo is wrong or does not come. */
    void roundTrip(byte[] payload) throws IOException {
        socket.getOutputStream().write(payload);
        socket.getOutputStream().flush();
        byte[] back = new byte[payload.length];
        InputStream in = socket.getInputStream();
        int got = 0;
        while (got < back.length) {
            int n = in.read(back, got, back.length - got);
            if (n < 0) {
                throw new IOException("connection closed after " + got + " of " + back.length + " echoed bytes");
            }
            got += n;
        }
        if (!Arrays.equals(payload, back)) {
            throw new IOException("the echo differs from what was sent");
        }
    }

    /** A new connection with one round trip: true when it worked. */
    static boolean works(int port, int timeoutMillis) {
        try (EchoClient c = new EchoClient(port, timeoutMillis)) {
            c.roundTrip("ping".getBytes());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
