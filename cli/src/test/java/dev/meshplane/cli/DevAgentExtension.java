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
    private final Agent.DnsSettings dnsSettings;
    private Agent agent;
    private ManagedChannel channel;

    DevAgentExtension(String nodeName) {
        this(nodeName, LocalAgentConfig.IN_MEMORY, Agent.DnsSettings.DEFAULTS);
    }

    DevAgentExtension(String nodeName, LocalAgentConfig local) {
        this(nodeName, local, Agent.DnsSettings.DEFAULTS);
    }

    /** With the HTTP API and DNS on free ports, DNS configured as given. */
    DevAgentExtension(String nodeName, Agent.DnsSettings dnsSettings) {
        this(nodeName, LocalAgentConfig.IN_MEMORY, dnsSettings);
    }

    DevAgentExtension(String nodeName, LocalAgentConfig local, Agent.DnsSettings dnsSettings) {
        this.nodeName = nodeName;
        this.local = local;
        this.dnsSettings = dnsSettings;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        agent = Agent.start(Agent.Settings.dev(nodeName, 0, 0, local).withHttpDns(0, 0, dnsSettings));
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

    /** The HTTP API's base URL, e.g. "http://127.0.0.1:41234". */
    String http() {
        return "http://127.0.0.1:" + agent.httpAddress().getPort();
    }

    int dnsPort() {
        return agent.dnsAddress().getPort();
    }

    /** The agent's gRPC address as the CLI's -address flag takes it. */
    String address() {
        return "127.0.0.1:" + agent.grpcAddress().getPort();
    }
}
