package dev.meshplane.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Three-member clusters as real processes on loopback: Meshplane servers, or etcd members. */
abstract class ServerCluster implements AutoCloseable {
    final Path dir;
    final List<Process> processes = new ArrayList<>();

    ServerCluster(Path dir) throws IOException {
        this.dir = java.nio.file.Files.createDirectories(dir);
    }

    /** Addresses ("host:port") clients use. */
    abstract List<String> clientAddresses();

    /** CPU time used so far by every member. */
    Duration cpu() {
        Duration total = Duration.ZERO;
        for (Process p : processes) {
            total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /**
     * CPU used so far by the members' JIT compiler threads (HotSpot names them "C1 CompilerThre..." and
     * "C2 CompilerThre..."), in clock ticks from /proc; always 0 for programs without a JIT.
     */
    long jitTicks() {
        long ticks = 0;
        for (Process p : processes) {
            try (var tasks = java.nio.file.Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
                for (Path task : tasks.toList()) {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.matches("C[12] Compiler.*")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // A thread that ended meanwhile: its time is simply not counted.
            }
        }
        return ticks;
    }

    /** Resident memory of every member, in MiB, from /proc. */
    long rssMib() {
        long kib = 0;
        for (Process p : processes) {
            try {
                for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException e) {
                return -1;
            }
        }
        return kib / 1024;
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

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** `meshctl agent -server` x3, run from this JVM's classpath. */
    static final class Meshplane extends ServerCluster {
        final int[] serverPorts;
        /** Each server's agent gRPC port (its sidecar role: Watch, xDS). */
        final int[] grpcPorts;

        Meshplane(Path dir, List<String> jvmOptions) throws IOException {
            super(dir);
            serverPorts = freePorts(3);
            grpcPorts = freePorts(3);
            for (int i = 0; i < 3; i++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(ProcessHandle.current().info().command().orElseThrow());
                cmd.addAll(jvmOptions);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.meshplane.cli.Main",
                        "agent", "-server", "-node", "s" + i, "-bootstrap-expect", "3",
                        "-data-dir", dir.resolve("s" + i).toString(),
                        "-log-level", System.getProperty("bench.serverLogLevel", "warn"),
                        "-server-port", String.valueOf(serverPorts[i]), "-grpc-port", String.valueOf(grpcPorts[i]),
                        // Not part of these workloads, and their fixed default ports would collide.
                        "-http-port", "-1", "-dns-port", "-1", "-serf-lan-port", "-1", "-serf-wan-port", "-1"));
                for (int p : serverPorts) {
                    cmd.add("-retry-join");
                    cmd.add("127.0.0.1:" + p);
                }
                processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("s" + i + ".log").toFile()).start());
            }
        }

        @Override
        List<String> clientAddresses() {
            List<String> out = new ArrayList<>();
            for (int p : serverPorts) {
                out.add("127.0.0.1:" + p);
            }
            return out;
        }

        /** The agents' gRPC addresses, where applications connect. */
        List<String> agentAddresses() {
            List<String> out = new ArrayList<>();
            for (int p : grpcPorts) {
                out.add("127.0.0.1:" + p);
            }
            return out;
        }
    }

    /** etcd x3 (from the Debian package etcd-server), fsync on as by default. */
    static final class Etcd extends ServerCluster {
        final int[] clientPorts;

        Etcd(Path dir) throws IOException {
            super(dir);
            clientPorts = freePorts(3);
            int[] peerPorts = freePorts(3);
            StringBuilder initial = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                initial.append(i == 0 ? "" : ",").append("e").append(i).append("=http://127.0.0.1:").append(peerPorts[i]);
            }
            for (int i = 0; i < 3; i++) {
                List<String> cmd = List.of("etcd", "--name", "e" + i, "--data-dir", dir.resolve("e" + i).toString(),
                        "--listen-client-urls", "http://127.0.0.1:" + clientPorts[i],
                        "--advertise-client-urls", "http://127.0.0.1:" + clientPorts[i],
                        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts[i],
                        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts[i],
                        "--initial-cluster", initial.toString(), "--initial-cluster-state", "new",
                        "--initial-cluster-token", "bench-" + ProcessHandle.current().pid(),
                        "--log-level", "warn", "--logger", "zap");
                processes.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("e" + i + ".log").toFile()).start());
            }
        }

        @Override
        List<String> clientAddresses() {
            List<String> out = new ArrayList<>();
            for (int p : clientPorts) {
                out.add("127.0.0.1:" + p);
            }
            return out;
        }

        static boolean installed() {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (java.nio.file.Files.isExecutable(Path.of(dir, "etcd"))) {
                    return true;
                }
            }
            return false;
        }
    }
}
