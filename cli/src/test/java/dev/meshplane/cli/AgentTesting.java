package dev.meshplane.cli;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.TtlCheck;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.agent.SyncConfig;
import dev.meshplane.sidecar.checks.ChecksConfig;
import io.grpc.Channel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Shared pieces of the agent tests: fast timings, stubs, polling. */
final class AgentTesting {
    private AgentTesting() {}

    /**
     * Timings shrunk for tests: full sync every second (plus up to a second of jitter), failed
     * syncs retried after 300 ms, reaper every 200 ms, deregister-after allowed from 1 s. Output
     * churn keeps Consul's 5 min throttle.
     */
    static LocalAgentConfig fast() {
        return LocalAgentConfig.IN_MEMORY
                .withSync(new SyncConfig(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMillis(300),
                        Duration.ofSeconds(5)))
                .withChecks(new ChecksConfig(true, Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(30),
                        Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .withReapInterval(Duration.ofMillis(200));
    }

    static AgentGrpc.AgentBlockingStub agent(Channel ch) {
        return AgentGrpc.newBlockingStub(ch);
    }

    static CatalogGrpc.CatalogBlockingStub catalog(Channel ch) {
        return CatalogGrpc.newBlockingStub(ch);
    }

    static GetNodeResponse node(Channel ch, String node) {
        return catalog(ch).getNode(GetNodeRequest.newBuilder().setNode(node).build());
    }

    static Optional<Check> catalogCheck(Channel ch, String node, String checkId) {
        return node(ch, node).getChecksList().stream().filter(c -> c.getCheckId().equals(checkId)).findFirst();
    }

    static TtlCheck ttl(Duration d) {
        return TtlCheck.newBuilder().setTtl(Durations.toProto(d)).build();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
