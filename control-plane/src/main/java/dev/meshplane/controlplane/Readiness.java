package dev.meshplane.controlplane;

import dev.meshplane.controlplane.cluster.ReplicatedLog;
import dev.meshplane.controlplane.log.Consensus;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's grpc.health.v1 on the server RPC port: "" is SERVING while the process runs;
 * {@value #SERVICE} is SERVING only while this server knows a leader and that leader has a quorum
 * — the leader itself (check-quorum makes it step down without one), or a follower that heard from
 * it within an election timeout. This is what a Kubernetes readiness probe of a server asks.
 */
public final class Readiness implements AutoCloseable {
    public static final String SERVICE = "meshplane.server.readiness";
    static final Duration PERIOD = Duration.ofMillis(500);

    private final HealthStatusManager health = new HealthStatusManager();
    private final Consensus consensus;
    private final java.util.concurrent.ScheduledFuture<?> task;

    Readiness(Consensus consensus, ScheduledExecutorService scheduler) {
        this.consensus = consensus;
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
        this.task = scheduler.scheduleWithFixedDelay(this::update, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void update() {
        health.setStatus(SERVICE, ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    boolean ready() {
        if (consensus instanceof ReplicatedLog log) {
            return log.hasLeaderWithQuorum();
        }
        return true;
    }

    io.grpc.BindableService service() {
        return health.getHealthService();
    }

    @Override
    public void close() {
        task.cancel(false);
        health.enterTerminalState();
    }
}
