package dev.meshplane.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real `meshctl agent -server` processes on loopback, each with its own data dir and log file. */
final class ServerProcesses implements AutoCloseable {
    final Path root;
    final int size;
    final int[] serverPorts;
    final int[] grpcPorts;
    /** LAN gossip ports (WAN gossip gets a free port each start). */
    final int[] lanPorts;
    final Process[] processes;
    /** -retry-join the others' LAN gossip addresses instead of every server's RPC address. */
    private final boolean joinThroughGossip;
    /** Extra agent flags for every server. */
    private final List<String> extraFlags = new ArrayList<>();
    final List<ManagedChannel> channels = new ArrayList<>();

    ServerProcesses(Path root, int size) throws IOException {
        this(root, size, false);
    }

    ServerProcesses(Path root, int size, boolean joinThroughGossip, String... extraFlags) throws IOException {
        this.root = root;
        this.size = size;
        this.joinThroughGossip = joinThroughGossip;
        this.extraFlags.addAll(List.of(extraFlags));
        this.serverPorts = freePorts(size);
        this.grpcPorts = freePorts(size);
        this.lanPorts = freePorts(size);
        this.processes = new Process[size];
        for (int i = 0; i < size; i++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", grpcPorts[i]).usePlaintext().build());
        }
    }

    static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    void start(int i) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "agent", "-server", "-node", "s" + i, "-bootstrap-expect", String.valueOf(size),
                "-data-dir", root.resolve("s" + i).toString(),
                "-server-port", String.valueOf(serverPorts[i]), "-grpc-port", String.valueOf(grpcPorts[i]),
                "-http-port", "0", "-dns-port", "0", "-serf-lan-port", String.valueOf(lanPorts[i]),
                "-serf-wan-port", "0"));
        cmd.addAll(extraFlags);
        for (int j = 0; j < size; j++) {
            if (joinThroughGossip && j != i) {
                cmd.add("-retry-join");
                cmd.add("127.0.0.1:" + lanPorts[j]);
            } else if (!joinThroughGossip) {
                cmd.add("-retry-join");
                cmd.add("127.0.0.1:" + serverPorts[j]);
            }
        }
        processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("s" + i + ".log").toFile())).start();
    }

    void startAll() throws IOException {
        for (int i = 0; i < size; i++) {
            start(i);
        }
    }

    /** SIGKILL: no shutdown hook, no hand-off, nothing flushed that was not already. */
    void killAll() throws InterruptedException {
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        killAll();
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
    }
}
