package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.ServerConfig;
import dev.meshplane.controlplane.watch.WatchConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The server role's gRPC services on an in-process transport, for tests of the API behaviour. */
final class InProcessServer implements AutoCloseable {
    final ControlPlane controlPlane;
    final Server server;
    final ManagedChannel channel;

    InProcessServer(WatchConfig watch) throws IOException {
        this(new ServerConfig("127.0.0.1:8300", ApiLimits.DEFAULTS, watch, Duration.ofSeconds(1), Duration.ofMinutes(15)));
    }

    InProcessServer(ServerConfig config) throws IOException {
        controlPlane = ControlPlane.inMemory(config);
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder b = InProcessServerBuilder.forName(name);
        controlPlane.services().forEach(b::addService);
        server = b.build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        controlPlane.close();
    }
}
