package dev.meshplane.controlplane.cluster;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.leader.TombstoneReaper;
import dev.meshplane.controlplane.watch.WatchConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Real servers in one JVM: each a gRPC server on a loopback port with its own data directory,
 * replicating through Raft over real sockets.
 */
final class TestCluster implements AutoCloseable {
    final Path root;
    final int size;
    final List<Integer> ports = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    private final UnaryOperator<RaftServerConfig> tune;

    /** One server: its listener, its control plane, and a client channel to it. */
    static final class Node {
        final int i;
        Server server;
        ControlPlane controlPlane;
        ManagedChannel channel;

        Node(int i) {
            this.i = i;
        }

        boolean running() {
            return controlPlane != null;
        }

        ReplicatedLog log() {
            return (ReplicatedLog) controlPlane.consensus();
        }
    }

    TestCluster(Path root, int size, UnaryOperator<RaftServerConfig> tune) throws IOException {
        this.root = root;
        this.size = size;
        this.tune = tune;
        // Bind every listener first (and keep it) so that each server can be told all addresses.
        List<MutableHandlerRegistry> registries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Node n = new Node(i);
            nodes.add(n);
            MutableHandlerRegistry registry = new MutableHandlerRegistry();
            registries.add(registry);
            n.server = listen(0, registry);
            ports.add(n.server.getPort());
        }
        for (int i = 0; i < size; i++) {
            startOn(i, size, registries.get(i));
        }
    }

    String address(int i) {
        return "127.0.0.1:" + ports.get(i);
    }

    List<String> addresses() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            out.add(address(i));
        }
        return out;
    }

    /** Starts one more server that joins the running cluster through the others. */
    int addServer() throws IOException {
        int i = nodes.size();
        Node n = new Node(i);
        nodes.add(n);
        MutableHandlerRegistry registry = new MutableHandlerRegistry();
        n.server = listen(0, registry);
        ports.add(n.server.getPort());
        startOn(i, 0, registry);
        return i;
    }

    private static Server listen(int port, MutableHandlerRegistry registry) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .withOption(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
                .maxInboundMessageSize(PeerTransport.MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(PeerTransport.PERMIT_PING_SECONDS, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .fallbackHandlerRegistry(registry).build().start();
    }

    /** Restarts a stopped server on its old port with its old data. */
    void start(int i) throws IOException {
        MutableHandlerRegistry registry = new MutableHandlerRegistry();
        nodes.get(i).server = listen(ports.get(i), registry);
        startOn(i, size, registry);
    }

    private void startOn(int i, int bootstrapExpect, MutableHandlerRegistry registry) throws IOException {
        Node n = nodes.get(i);
        RaftServerConfig raft = tune.apply(RaftServerConfig.of("server-" + i, address(i), root.resolve("server-" + i),
                "dc1", bootstrapExpect, addresses()));
        n.controlPlane = ControlPlane.replicated(new ServerConfig(address(i), ApiLimits.DEFAULTS, WatchConfig.DEFAULTS,
                Duration.ofSeconds(1), TombstoneReaper.DEFAULT_TTL), raft);
        n.controlPlane.services().forEach(registry::addService);
        registry.addService(n.controlPlane.healthService());
        n.channel = NettyChannelBuilder.forTarget(address(i)).usePlaintext().build();
    }

    /** Stops a server abruptly (no leadership hand-off); its data directory stays. */
    void stop(int i) throws InterruptedException {
        Node n = nodes.get(i);
        n.channel.shutdownNow();
        n.server.shutdownNow();
        n.server.awaitTermination(5, TimeUnit.SECONDS);
        n.controlPlane.close();
        n.controlPlane = null;
    }

    /** The index of the leader every running server agrees on, waiting up to {@code timeout}. */
    int awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String leader = null;
            boolean agreed = true;
            for (Node n : nodes) {
                if (!n.running()) {
                    continue;
                }
                ClusterView v = n.log().view();
                if (v.leaderId().isEmpty() || (leader != null && !leader.equals(v.leaderId()))) {
                    agreed = false;
                    break;
                }
                leader = v.leaderId();
            }
            if (agreed && leader != null) {
                int idx = Integer.parseInt(leader.substring("server-".length()));
                if (nodes.get(idx).running() && nodes.get(idx).log().view().isLeader()) {
                    return idx;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no agreed leader within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).running()) {
                stop(i);
            }
        }
    }
}
