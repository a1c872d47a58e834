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
 * accept it (they may start after the agent). With gossip on, the node is registered without
 * checks: its {@code serfHealth} belongs to the leader's membership reconciler, which marks it
 * from the LAN pool (asserting "passing" here would overwrite a "critical" the leader just
 * wrote, and would re-create the check on a node the leader is about to reap).
 */
final class NodeRegistration implements Runnable {
    private static final Logger LOG = Logger.getLogger(NodeRegistration.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final Node node;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final boolean assertMembershipCheck;
    private volatile boolean stopped;
    private volatile boolean registered;

    /** @param gossip whether gossip runs (then the leader, not this agent, owns serfHealth) */
    NodeRegistration(Node node, CatalogGrpc.CatalogBlockingStub catalog, boolean gossip) {
        this.node = node;
        this.catalog = catalog;
        this.assertMembershipCheck = !gossip;
    }

    @Override
    public void run() {
        long backoff = 250;
        while (!stopped) {
            try {
                CatalogRegisterRequest.Builder request = CatalogRegisterRequest.newBuilder().setNode(node);
                if (assertMembershipCheck) {
                    request.addChecks(membershipCheck());
                }
                catalog.withDeadlineAfter(10, TimeUnit.SECONDS).register(request.build());
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
     * The node's membership check, which sessions rely on by default. Asserted by the agent only
     * when gossip is off: nothing watches the node from the outside then, so it does not turn
     * critical when the agent dies (see docs/architecture.md).
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
