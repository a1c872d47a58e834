package dev.meshplane.cli;

import dev.meshplane.api.ClientRetry;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** Where a CLI command finds the agent, and how long it waits for an answer. */
final class ClientOptions {
    @Option(names = {"-address", "--address"}, paramLabel = "HOST:PORT",
            defaultValue = "${env:MESH_GRPC_ADDR:-127.0.0.1:8502}",
            description = "agent gRPC address (default: $MESH_GRPC_ADDR or 127.0.0.1:8502)")
    String address;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "give up on a request after this many seconds (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    ManagedChannel channel() {
        if (timeoutSeconds < 1) {
            throw new CliException("-timeout: " + timeoutSeconds + " must be at least 1 second");
        }
        Addresses.parse("-address", address);
        return NettyChannelBuilder.forTarget(address).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024)
                .defaultServiceConfig(ClientRetry.serviceConfig()).enableRetry().build();
    }

    long timeoutMillis() {
        return TimeUnit.SECONDS.toMillis(timeoutSeconds);
    }
}
