package dev.meshplane.controlplane.cluster;

import dev.meshplane.proto.internal.v1.AddServerRequest;
import dev.meshplane.proto.internal.v1.HelloRequest;
import dev.meshplane.proto.internal.v1.HelloResponse;
import dev.meshplane.proto.internal.v1.RaftServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * How a server without Raft state finds its place: with {@code -bootstrap-expect N} it greets
 * the join addresses until N servers without state (itself included) know each other, then they
 * all found a cluster with the same, sorted list of voters; if any server it greets already
 * belongs to a cluster, or it has no bootstrap-expect, it asks that cluster's leader to add it.
 * Retries with back-off until it is placed.
 */
final class ClusterJoin implements Runnable {
    private static final Logger LOG = Logger.getLogger(ClusterJoin.class.getName());
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final ReplicatedLog log;
    private final RaftServerConfig config;
    private volatile boolean stopped;
    private boolean placed;

    ClusterJoin(ReplicatedLog log) {
        this.log = log;
        this.config = log.config();
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long backoff = 200;
        while (!stopped && !placed) {
            Map<String, HelloResponse> seen = greetAll();
            Map<String, HelloResponse> fresh = new TreeMap<>();
            HelloResponse inCluster = null;
            for (HelloResponse r : seen.values()) {
                if (!r.getDatacenter().equals(config.datacenter())) {
                    LOG.warning("raft: " + r.getId() + " at " + r.getAddress() + " is in datacenter " + r.getDatacenter()
                            + ", not " + config.datacenter() + "; ignoring it");
                } else if (r.getHasState() && config.bootstrapExpect() > 0
                        && r.getVotersList().contains(config.id())) {
                    // A peer founded first, with this server among the founders: found alike.
                    log.membership().found(r.getVotersList());
                    placed = true;
                    return;
                } else if (r.getHasState()) {
                    inCluster = r;
                } else {
                    fresh.put(r.getId(), r);
                }
            }
            if (inCluster != null || config.bootstrapExpect() == 0) {
                placed = tryJoin(inCluster);
                if (placed) {
                    return;
                }
            } else {
                fresh.put(config.id(), HelloResponse.newBuilder().setId(config.id()).build());
                if (fresh.size() >= config.bootstrapExpect()) {
                    List<String> founders = new ArrayList<>(fresh.keySet()).subList(0, config.bootstrapExpect());
                    if (founders.contains(config.id())) {
                        log.membership().found(founders);
                        placed = true;
                        return;
                    }
                    LOG.info("raft: " + fresh.size() + " servers seen; " + founders + " found the cluster and "
                            + config.id() + " will join it");
                } else {
                    LOG.info("raft: " + config.id() + " waits for " + config.bootstrapExpect() + " servers, sees "
                            + fresh.keySet());
                }
            }
            sleep(backoff);
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
    }

    private Map<String, HelloResponse> greetAll() {
        Map<String, HelloResponse> seen = new TreeMap<>();
        HelloRequest hello = HelloRequest.newBuilder().setId(config.id()).setAddress(config.advertiseAddress())
                .setBootstrapExpect(config.bootstrapExpect()).setDatacenter(config.datacenter()).build();
        // The servers gossip found; until it has found any, the fixed -retry-join addresses, tried
        // as server RPC addresses (they may be gossip addresses, which then simply do not answer).
        List<String> targets = log.discovery().addresses();
        if (targets.isEmpty()) {
            targets = config.joinAddresses();
        }
        for (String address : targets) {
            if (address.equals(config.advertiseAddress())) {
                continue;
            }
            try {
                HelloResponse r = RaftServiceGrpc.newBlockingStub(log.transport().channelTo(address))
                        .withDeadlineAfter(2, TimeUnit.SECONDS).hello(hello);
                if (!r.getId().equals(config.id())) {
                    log.addressBook().put(r.getId(), r.getAddress());
                    seen.put(r.getId(), r);
                }
            } catch (StatusRuntimeException e) {
                LOG.fine(() -> "raft: no answer from " + address + ": " + e.getStatus());
            }
        }
        return seen;
    }

    /** Asks the leader (found through {@code member}, or any greeted server) to add this server. */
    private boolean tryJoin(HelloResponse member) {
        String leader = member == null ? "" : member.getLeaderAddress();
        if (leader.isEmpty()) {
            LOG.info("raft: " + config.id() + " waits for a cluster with a leader to join");
            return false;
        }
        log.membership().prepareToJoin().join();
        try {
            long index = RaftServiceGrpc.newBlockingStub(log.transport().channelTo(leader))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .addServer(AddServerRequest.newBuilder().setId(config.id()).setAddress(config.advertiseAddress())
                            .build()).getIndex();
            LOG.info("raft: " + config.id() + " was added by the leader at " + leader + " (index " + index
                    + "); it catches up as a non-voter and is promoted when caught up");
            return true;
        } catch (StatusRuntimeException e) {
            LOG.info("raft: joining through " + leader + " failed: " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription() + "; retrying");
            return false;
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            stopped = true;
        }
    }
}
