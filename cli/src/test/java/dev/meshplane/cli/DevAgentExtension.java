package dev.meshplane.cli;

import dev.meshplane.sidecar.agent.LocalAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts a real dev agent (both roles, real sockets on ephemeral loopback ports) for a test class. */
final class DevAgentExtension implements BeforeAllCallback, AfterAllCallback {
    private final String nodeName;
    private final LocalAgentConfig local;
    private Agent agent;
    private ManagedChannel channel;

    DevAgentExtension(String nodeName) {
        this(nodeName, LocalAgentConfig.IN_MEMORY);
    }

    DevAgentExtension(String nodeName, LocalAgentConfig local) {
        this.nodeName = nodeName;
        this.local = local;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = Agent.start(Agent.Settings.dev(nodeName, 0, 0, local));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.grpcAddress().getPort()).usePlaintext().build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!agent.sidecar().nodeRegistered()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the dev agent did not register its node within 10 s");
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        agent.close();
    }

    Agent agent() {
        return agent;
    }

    ManagedChannel channel() {
        return channel;
    }

    /** The agent's gRPC address as the CLI's -address flag takes it. */
    String address() {
        return "127.0.0.1:" + agent.grpcAddress().getPort();
    }
}
