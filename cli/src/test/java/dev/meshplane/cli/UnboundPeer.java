package dev.meshplane.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * unbound (Debian's package) serving the same records as the agent from local-data, on a
 * loopback port, from a config written into a temporary directory: the peer the DNS benchmark
 * measures with the same client in the same run.
 */
final class UnboundPeer implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress address;
    private final Path dir;

    private UnboundPeer(Process process, InetSocketAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    /** The unbound binary, or null when it is not installed. */
    static String binary() {
        for (String candidate : List.of("/usr/sbin/unbound", "/usr/local/sbin/unbound")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /** Serves {@code name} with one A and one SRV record per address (targets resolvable under addr.dc1.consul). */
    static UnboundPeer start(String binary, String name, List<String> addresses, int threads) throws IOException,
            InterruptedException {
        // The probed port may still be taken by the time unbound binds it.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnFreePort(binary, name, addresses, threads);
            } catch (IOException e) {
                if (attempt >= 5 || e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static UnboundPeer startOnFreePort(String binary, String name, List<String> addresses, int threads)
            throws IOException, InterruptedException {
        // Below the ephemeral range (32768 and up): a benchmark that just closed 10,000 client
        // connections leaves their ports in TIME_WAIT, and unbound's TCP bind fails on those.
        int port = 0;
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 100 && port == 0; i++) {
            int candidate = 20_000 + random.nextInt(12_000);
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", candidate));
                 java.net.ServerSocket tcp = new java.net.ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress("127.0.0.1", candidate));
                port = candidate;
            } catch (IOException taken) {
                // try another
            }
        }
        if (port == 0) {
            throw new IOException("no port free for both UDP and TCP between 20000 and 32000");
        }
        Path dir = Files.createTempDirectory("unbound-bench");
        StringBuilder conf = new StringBuilder();
        conf.append("server:\n")
                .append("  interface: 127.0.0.1\n")
                .append("  port: ").append(port).append('\n')
                .append("  do-ip6: no\n  do-tcp: yes\n  do-daemonize: no\n  use-syslog: no\n  logfile: \"\"\n")
                .append("  verbosity: 0\n  username: \"\"\n  chroot: \"\"\n")
                .append("  directory: \"").append(dir).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("unbound.pid")).append("\"\n")
                .append("  num-threads: ").append(threads).append('\n')
                .append("  access-control: 127.0.0.0/8 allow\n")
                .append("  module-config: \"iterator\"\n")
                .append("  local-zone: \"consul.\" static\n");
        for (String a : addresses) {
            String hex = HexFormat.of().formatHex(java.net.InetAddress.getByName(a).getAddress());
            conf.append("  local-data: \"").append(name).append(" 0 IN A ").append(a).append("\"\n");
            conf.append("  local-data: \"").append(name).append(" 0 IN SRV 1 1 80 ").append(hex)
                    .append(".addr.dc1.consul.\"\n");
            conf.append("  local-data: \"").append(hex).append(".addr.dc1.consul. 0 IN A ").append(a).append("\"\n");
        }
        conf.append("remote-control:\n  control-enable: no\n");
        Path file = dir.resolve("unbound.conf");
        Files.writeString(file, conf.toString(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(binary, "-d", "-c", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("unbound.log").toFile()).start();
        UnboundPeer peer = new UnboundPeer(p, new InetSocketAddress("127.0.0.1", port), dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("unbound exited: " + Files.readString(dir.resolve("unbound.log")));
            }
            try {
                var m = Dns.query(Dns.resolver(port), name, org.xbill.DNS.Type.A);
                if (!Dns.answers(m).isEmpty()) {
                    return peer;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                peer.close();
                throw new IOException("unbound did not answer within 10 s");
            }
            Thread.sleep(100);
        }
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException | InterruptedException e) {
            // best effort cleanup of a temp dir
        }
    }
}
