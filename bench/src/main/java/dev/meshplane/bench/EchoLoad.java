package dev.meshplane.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load against an echo endpoint (direct, through Meshplane's sidecars, or through stunnel):
 * request/response round trips on N kept connections, one-connection bulk transfer, and new
 * connections per second. Blocking sockets on platform threads: the generator is the same for
 * every endpoint, so the differences are the hop's.
 */
final class EchoLoad {
    /** What one step measured. */
    record Result(long operations, double seconds, Latencies latencies, long bytes, long errors) {
        double perSecond() {
            return operations / seconds;
        }

        double mibPerSecond() {
            return bytes / seconds / (1024 * 1024);
        }
    }

    private EchoLoad() {}

    /** {@code connections} kept connections, each doing 1 KiB request/response round trips. */
    static Result roundTrips(int port, int connections, int payloadBytes, double warmupSeconds, double seconds)
            throws Exception {
        java.util.concurrent.CountDownLatch established = new java.util.concurrent.CountDownLatch(connections);
        return run(connections, warmupSeconds, seconds, (stop, measuring, ops, lat, errors) -> {
            byte[] out = new byte[payloadBytes];
            byte[] in = new byte[payloadBytes];
            try (Socket s = connect(port)) {
                OutputStream o = s.getOutputStream();
                InputStream i = s.getInputStream();
                // The first round trip sets the connection up (through a proxy: the mTLS handshake).
                o.write(out);
                readFully(i, in);
                established.countDown();
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    o.write(out);
                    readFully(i, in);
                    if (measuring.get()) {
                        ops.incrementAndGet();
                        lat.add(System.nanoTime() - t0);
                    }
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                established.countDown();
            }
        }, established);
    }

    /** One connection: a writer sends 64 KiB chunks as fast as it can while a reader takes the echo. */
    static Result bulk(int port, double warmupSeconds, double seconds) throws Exception {
        AtomicLong bytes = new AtomicLong();
        Result r = run(1, warmupSeconds, seconds, (stop, measuring, ops, lat, errors) -> {
            try (Socket s = connect(port)) {
                s.setSendBufferSize(1 << 20);
                s.setReceiveBufferSize(1 << 20);
                Thread writer = Thread.ofPlatform().name("bulk-writer").start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        OutputStream o = s.getOutputStream();
                        while (!stop.get()) {
                            o.write(chunk);
                        }
                    } catch (IOException e) {
                        if (!stop.get()) {
                            errors.incrementAndGet();
                        }
                    }
                });
                byte[] buf = new byte[256 * 1024];
                InputStream i = s.getInputStream();
                while (!stop.get()) {
                    int n = i.read(buf);
                    if (n < 0) {
                        break;
                    }
                    if (measuring.get()) {
                        bytes.addAndGet(n);
                    }
                }
                s.close();
                writer.join();
            } catch (IOException | InterruptedException e) {
                if (!stop.get()) {
                    errors.incrementAndGet();
                }
            }
        }, null);
        return new Result(r.operations(), r.seconds(), r.latencies(), bytes.get(), r.errors());
    }

    /** {@code threads} loops of: connect, one 16-byte round trip, close. Through a sidecar, each is a full mTLS handshake. */
    static Result connects(int port, int threads, double warmupSeconds, double seconds) throws Exception {
        return run(threads, warmupSeconds, seconds, (stop, measuring, ops, lat, errors) -> {
            byte[] out = new byte[16];
            byte[] in = new byte[16];
            while (!stop.get()) {
                long t0 = System.nanoTime();
                try (Socket s = connect(port)) {
                    s.getOutputStream().write(out);
                    readFully(s.getInputStream(), in);
                } catch (IOException e) {
                    if (measuring.get()) {
                        errors.incrementAndGet();
                    }
                    continue;
                }
                if (measuring.get()) {
                    ops.incrementAndGet();
                    lat.add(System.nanoTime() - t0);
                }
            }
        }, null);
    }

    interface Worker {
        void run(AtomicBoolean stop, AtomicBoolean measuring, AtomicLong ops, Latencies latencies, AtomicLong errors)
                throws Exception;
    }

    private static Result run(int threads, double warmupSeconds, double seconds, Worker worker,
                              java.util.concurrent.CountDownLatch ready) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Latencies latencies = new Latencies();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                try {
                    worker.run(stop, measuring, ops, latencies, errors);
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }));
        }
        if (ready != null) {
            // Steady state only: every connection is set up before the warm-up starts.
            ready.await(120, java.util.concurrent.TimeUnit.SECONDS);
        }
        Thread.sleep((long) (warmupSeconds * 1000));
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : all) {
            t.join(10_000);
        }
        return new Result(ops.get(), elapsed, latencies, 0, errors.get());
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        return s;
    }

    private static void readFully(InputStream in, byte[] buf) throws IOException {
        int got = 0;
        while (got < buf.length) {
            int n = in.read(buf, got, buf.length - got);
            if (n < 0) {
                throw new IOException("closed after " + got + " bytes");
            }
            got += n;
        }
    }
}
