package dev.meshplane.sidecar;

import dev.meshplane.proto.v1.LeaderRequest;
import dev.meshplane.proto.v1.StatusGrpc;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent's own grpc.health.v1 status for "": SERVING while the servers it talks to know a
 * leader, NOT_SERVING otherwise, so grpc-health-probe and Kubernetes gRPC probes on port 8502
 * report an agent that cannot reach a working cluster.
 */
final class ServerHealth implements Runnable {
    private static final Logger LOG = Logger.getLogger(ServerHealth.class.getName());
    static final long PERIOD_MILLIS = 2_000;

    private final StatusGrpc.StatusBlockingStub status;
    private final HealthStatusManager health;
    private volatile boolean stopped;
    private volatile ServingStatus current;

    ServerHealth(StatusGrpc.StatusBlockingStub status, HealthStatusManager health) {
        this.status = status;
        this.health = health;
    }

    @Override
    public void run() {
        while (!stopped) {
            ServingStatus next;
            String why;
            try {
                String leader = status.withDeadlineAfter(PERIOD_MILLIS, TimeUnit.MILLISECONDS)
                        .leader(LeaderRequest.getDefaultInstance()).getAddress();
                next = leader.isEmpty() ? ServingStatus.NOT_SERVING : ServingStatus.SERVING;
                why = leader.isEmpty() ? "the servers know no leader" : "leader " + leader;
            } catch (StatusRuntimeException e) {
                next = ServingStatus.NOT_SERVING;
                why = "servers unreachable: " + e.getStatus().getCode();
            }
            if (next != current && !stopped) {
                current = next;
                health.setStatus("", next);
                LOG.info("agent health " + next + " (" + why + ")");
            }
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void stop() {
        stopped = true;
    }
}
