package dev.meshplane.sidecar;

import dev.meshplane.api.SessionRules;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Registers this agent's node in the catalog, retrying with back-off until the servers
 * accept it (they may start after the agent).
 */
final class NodeRegistration implements Runnable {
    private static final Logger LOG = Logger.getLogger(NodeRegistration.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final Node node;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private volatile boolean stopped;
    private volatile boolean registered;

    NodeRegistration(Node node, CatalogGrpc.CatalogBlockingStub catalog) {
        this.node = node;
        this.catalog = catalog;
    }

    @Override
    public void run() {
        long backoff = 250;
        while (!stopped) {
            try {
                catalog.withDeadlineAfter(10, TimeUnit.SECONDS).register(CatalogRegisterRequest.newBuilder()
                        .setNode(node).addChecks(membershipCheck()).build());
                registered = true;
                LOG.info("node " + node.getName() + " registered in the catalog");
                return;
            } catch (StatusRuntimeException e) {
                LOG.log(Level.WARNING, "cannot register node " + node.getName() + " yet: " + e.getStatus().getCode()
                        + " " + e.getStatus().getDescription() + "; retrying in " + backoff + " ms");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    /**
     * The node's membership check, which sessions rely on by default. Until gossip watches
     * the node from the outside, the agent asserts it itself; so it does not turn critical when
     * the agent dies (see docs/architecture.md).
     */
    private static Check membershipCheck() {
        return Check.newBuilder().setCheckId(SessionRules.SERF_HEALTH).setName("Serf Health Status")
                .setType("serf").setStatus(HealthStatus.HEALTH_STATUS_PASSING)
                .setOutput("Agent alive and reachable").build();
    }

    boolean registered() {
        return registered;
    }

    void stop() {
        stopped = true;
    }
}
