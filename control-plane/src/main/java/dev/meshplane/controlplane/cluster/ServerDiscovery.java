package dev.meshplane.controlplane.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What gossip tells Raft about servers: their RPC addresses (from their tags), so that
 * {@link ClusterJoin} finds peers and bootstrap-expect counts them, a server that returns at a new
 * address is reached there, and, on the leader, autopilot's dead-server cleanup: a voter whose
 * member has failed for longer than the grace period, or has left, is removed when the voters
 * that remain healthy still form a quorum of the smaller configuration. One removal at a time.
 */
public final class ServerDiscovery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerDiscovery.class.getName());
    /** How long a server's member must stay failed before the leader removes it (a restart is quicker). */
    public static final Duration DEFAULT_DEAD_SERVER_GRACE = Duration.ofSeconds(30);
    /** How often the leader looks for dead servers. */
    static final Duration CLEANUP_INTERVAL = Duration.ofSeconds(1);

    private final ReplicatedLog log;
    private volatile Duration grace;
    private final Map<String, String> addresses = new ConcurrentHashMap<>();
    private final Map<String, Long> failedSince = new ConcurrentHashMap<>();
    private final Set<String> left = ConcurrentHashMap.newKeySet();
    private final Thread cleaner;
    private volatile boolean running = true;

    ServerDiscovery(ReplicatedLog log, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("dead server grace " + grace + " must not be negative");
        }
        this.log = log;
        this.grace = grace;
        this.cleaner = Thread.ofVirtual().name("raft-autopilot").unstarted(this::cleanLoop);
    }

    /** Changes the grace period (the agent's -dead-server-grace). */
    public void setGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("dead server grace " + grace + " must not be negative");
        }
        this.grace = grace;
    }

    void start() {
        cleaner.start();
    }

    /** A server's member is alive at this RPC address (a changed address replaces the old one). */
    public void serverAlive(String id, String rpcAddress) {
        if (id.equals(log.config().id())) {
            return;
        }
        failedSince.remove(id);
        left.remove(id);
        String before = addresses.put(id, rpcAddress);
        if (log.addressBook().put(id, rpcAddress) && before != null && !before.equals(rpcAddress)) {
            LOG.info("raft: server " + id + " is back at a new address " + rpcAddress + " (was " + before + ")");
        }
    }

    /** A server's member failed: removed after the grace period if quorum allows. */
    public void serverFailed(String id) {
        failedSince.putIfAbsent(id, System.nanoTime());
    }

    /** A server left gracefully: removed at once if quorum allows. */
    public void serverLeft(String id) {
        left.add(id);
        addresses.remove(id);
    }

    /** Server RPC addresses gossip knows of (not this server's). */
    List<String> addresses() {
        List<String> out = new ArrayList<>();
        addresses.forEach((id, a) -> {
            if (!failedSince.containsKey(id) && !left.contains(id)) {
                out.add(a);
            }
        });
        return out;
    }

    private void cleanLoop() {
        while (running) {
            try {
                Thread.sleep(CLEANUP_INTERVAL.toMillis());
                if (log.view().isLeader()) {
                    removeOneDeadServer();
                    addReturnedServer();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.fine(() -> "raft: dead server cleanup: " + e);
            }
        }
    }

    /** The voter or non-voter to remove now, if any (leader only). */
    String deadServerToRemove(ClusterView v, long nowNanos) {
        return deadServerToRemove(log.config().id(), v.voters(), v.learners(), Set.copyOf(left), Map.copyOf(failedSince),
                nowNanos, grace.toNanos());
    }

    /**
     * The decision alone: a non-voter that has left or been failed for the grace period; else
     * such a voter if the voters not failed or left would be a quorum of the configuration
     * without it. Never this server.
     */
    static String deadServerToRemove(String self, List<String> voters, List<String> learners, Set<String> left,
                                     Map<String, Long> failedSince, long nowNanos, long graceNanos) {
        Set<String> unhealthy = new HashSet<>(left);
        Set<String> dead = new HashSet<>(left);
        failedSince.forEach((id, since) -> {
            unhealthy.add(id);
            if (nowNanos - since >= graceNanos) {
                dead.add(id);
            }
        });
        for (String learner : learners) {
            if (dead.contains(learner) && !learner.equals(self)) {
                return learner;
            }
        }
        long healthyVoters = voters.stream().filter(id -> !unhealthy.contains(id)).count();
        for (String voter : voters) {
            if (dead.contains(voter) && !voter.equals(self)) {
                int remaining = voters.size() - 1;
                if (healthyVoters >= remaining / 2 + 1) {
                    return voter;
                }
                LOG.fine(() -> "raft: keeping dead server " + voter + ": removing it would leave " + healthyVoters
                        + " healthy of " + remaining + " voters, no quorum");
            }
        }
        return null;
    }

    private void removeOneDeadServer() {
        String id = deadServerToRemove(log.view(), System.nanoTime());
        if (id == null) {
            return;
        }
        try {
            long index = log.membership().removeServer(id).get(10, TimeUnit.SECONDS);
            LOG.info("raft: removed server " + id + " (" + (left.contains(id) ? "left" : "failed for over " + grace)
                    + ") at index " + index);
            // Not re-added until its member is seen alive again (serverAlive).
            addresses.remove(id);
        } catch (Exception e) {
            LOG.info("raft: could not remove dead server " + id + ": " + e.getMessage() + "; retrying");
        }
    }

    /**
     * A server gossip sees alive that is not in the configuration (removed while it was away, or
     * never added) is added as a non-voter, as Consul's leader adds server members; it is promoted
     * once caught up. A server still bootstrapping is added by its own join instead.
     */
    private void addReturnedServer() {
        ClusterView v = log.view();
        for (Map.Entry<String, String> e : addresses.entrySet()) {
            String id = e.getKey();
            if (failedSince.containsKey(id) || left.contains(id) || v.voters().contains(id) || v.learners().contains(id)) {
                continue;
            }
            try {
                long index = log.membership().addServer(id, e.getValue()).get(10, TimeUnit.SECONDS);
                LOG.info("raft: added server " + id + " at " + e.getValue() + " as a non-voter (index " + index + ")");
            } catch (Exception x) {
                LOG.fine(() -> "raft: could not add server " + id + ": " + x.getMessage());
            }
            return;
        }
    }

    @Override
    public void close() {
        running = false;
        cleaner.interrupt();
    }
}
