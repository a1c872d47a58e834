package dev.meshplane.controlplane.cluster;

import dev.meshplane.controlplane.state.StateStore;
import io.grpc.BindableService;
import java.io.IOException;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A replicated server's Raft side assembled: the replicated log (the {@code Consensus} the
 * server's API writes through), the server-to-server and operator RPC services, and the join
 * process for a server that does not belong to a cluster yet.
 */
public final class Cluster implements AutoCloseable {
    private final ReplicatedLog log;
    private final ClusterJoin join;

    public Cluster(RaftServerConfig config, StateStore store, RandomGenerator random) throws IOException {
        this.log = new ReplicatedLog(config, store, random);
        if (!log.hasState() && config.bootstrapExpect() != 1) {
            this.join = new ClusterJoin(log);
            Thread.ofVirtual().name("raft-join").start(join);
        } else {
            this.join = null;
        }
    }

    public ReplicatedLog log() {
        return log;
    }

    /** The services to serve on the server RPC port besides the public API. */
    public List<BindableService> services() {
        return List.of(new RaftRpc(log), new OperatorRpc(log));
    }

    @Override
    public void close() {
        if (join != null) {
            join.stop();
        }
        log.close();
    }
}
