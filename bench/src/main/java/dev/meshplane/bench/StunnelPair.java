package dev.meshplane.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The same mTLS hop done by a pair of stunnel processes (Debian package stunnel4): a client
 * stunnel takes plaintext and dials a server stunnel over TLS 1.3 with a client certificate;
 * the server stunnel verifies it against the same roots and forwards to the application.
 * Session resumption is off, so every connection is a full handshake, as through the sidecars.
 */
final class StunnelPair implements AutoCloseable {
    private final Process server;
    private final Process client;
    private final int clientPort;

    /** Certificates and keys as PEM: each leaf chain, its key, and the roots both sides trust. */
    record Identity(String chainPem, String keyPem) {}

    static boolean installed() {
        try {
            Process p = new ProcessBuilder("stunnel", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    StunnelPair(Path dir, int appPort, Identity serverId, Identity clientId, String rootsPem) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("roots.pem"), rootsPem);
        Files.writeString(dir.resolve("server-cert.pem"), serverId.chainPem());
        Files.writeString(dir.resolve("server-key.pem"), serverId.keyPem());
        Files.writeString(dir.resolve("client-cert.pem"), clientId.chainPem());
        Files.writeString(dir.resolve("client-key.pem"), clientId.keyPem());
        int[] ports = MeshPair.freePorts(2);
        int serverPort = ports[0];
        clientPort = ports[1];
        String common = "foreground = yes\npid =\ndebug = 3\n";
        String tls = "CAfile = " + dir.resolve("roots.pem") + "\nverifyChain = yes\nsslVersionMin = TLSv1.3\n"
                + "ciphersuites = TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"
                + "sessionResume = no\nTIMEOUTclose = 0\n";
        Files.writeString(dir.resolve("server.conf"), common + "[db]\naccept = 127.0.0.1:" + serverPort
                + "\nconnect = 127.0.0.1:" + appPort + "\ncert = " + dir.resolve("server-cert.pem") + "\nkey = "
                + dir.resolve("server-key.pem") + "\nrequireCert = yes\n" + tls);
        Files.writeString(dir.resolve("client.conf"), common + "[web]\nclient = yes\naccept = 127.0.0.1:" + clientPort
                + "\nconnect = 127.0.0.1:" + serverPort + "\ncert = " + dir.resolve("client-cert.pem") + "\nkey = "
                + dir.resolve("client-key.pem") + "\n" + tls);
        server = start(dir, "server");
        client = start(dir, "client");
        waitListening(serverPort);
        waitListening(clientPort);
    }

    private static Process start(Path dir, String which) throws IOException {
        return new ProcessBuilder("stunnel", dir.resolve(which + ".conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(which + ".log").toFile()).start();
    }

    private static void waitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("stunnel is not listening on " + port);
    }

    int port() {
        return clientPort;
    }

    /** CPU time used so far by both stunnel processes (from /proc). */
    Duration cpu() throws IOException {
        return cpuOf(server.pid()).plus(cpuOf(client.pid()));
    }

    static Duration cpuOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s.
        long ticks = Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
        return Duration.ofMillis(ticks * 10);
    }

    @Override
    public void close() throws InterruptedException {
        client.destroy();
        server.destroy();
        client.waitFor(5, TimeUnit.SECONDS);
        server.waitFor(5, TimeUnit.SECONDS);
    }
}
