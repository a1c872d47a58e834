package dev.meshplane.controlplane.cluster;

import com.google.protobuf.ByteString;
import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.RaftRole;
import dev.meshplane.controlplane.raft.RaftStatus;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import dev.meshplane.proto.internal.v1.ConfState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Changes to who is in the cluster and who leads it: founding, joining, adding and removing
 * servers, promoting caught-up non-voters, and handing over leadership. Each runs as a task on
 * the Raft loop; callers get a future.
 */
final class MembershipOps {
    private static final Logger LOG = Logger.getLogger(MembershipOps.class.getName());

    private final ReplicatedLog log;

    MembershipOps(ReplicatedLog log) {
        this.log = log;
    }

    void promoteCaughtUpLearner() {
        RaftStatus s = log.core().status();
        for (String learner : s.membership().getLearnersList()) {
            RaftStatus.PeerProgress p = s.progress().get(learner);
            if (p != null && p.recentActive() && p.match() + 16 >= s.commit()) {
                ProposeResult r = log.core().proposeConfChange(ConfChange.newBuilder()
                        .setType(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER).setNodeId(learner).build());
                if (r.accepted()) {
                    LOG.info("raft: promoting " + learner + " to voter: it has caught up (match " + p.match()
                            + ", commit " + s.commit() + ")");
                }
                return;
            }
        }
    }

    /** On the loop: found a new cluster with these voters (every founder passes the same list). */
    void found(List<String> voters) {
        log.submit(() -> {
            if (log.core() != null) {
                return;
            }
            log.setCore(RaftNode.found(log.config().raft(), log.logView(),
                    ConfState.newBuilder().addAllVoters(voters).build(), log.random()));
            LOG.info("raft: " + log.config().id() + " founded a cluster with " + voters);
        });
    }

    /** On the loop: become a member-to-be that waits for the leader to add it. */
    CompletableFuture<Void> prepareToJoin() {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        log.submit(() -> {
            if (log.core() == null) {
                log.setCore(new RaftNode(log.config().raft(), log.logView(), log.savedHardState(), log.random()));
                LOG.info("raft: " + log.config().id() + " waits to be added to a cluster");
            }
            ready.complete(null);
        });
        return ready;
    }

    /** The leader adds a server as a non-voter; it is promoted once it has caught up. */
    CompletableFuture<Long> addServer(String id, String address) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        log.submit(() -> {
            if (log.core() == null || log.core().role() != RaftRole.LEADER) {
                result.completeExceptionally(log.notLeader());
                return;
            }
            log.addressBook().put(id, address);
            ConfState members = log.core().confState();
            if (members.getVotersList().contains(id) || members.getLearnersList().contains(id)) {
                result.complete(log.core().commitIndex());
                return;
            }
            ProposeResult r = log.core().proposeConfChange(ConfChange.newBuilder()
                    .setType(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER).setNodeId(id)
                    .setContext(ByteString.copyFromUtf8(address)).build());
            completeConfChange(r, result);
        });
        return result;
    }

    /** The leader removes a server (voter or not). */
    CompletableFuture<Long> removeServer(String id) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        log.submit(() -> {
            if (log.core() == null || log.core().role() != RaftRole.LEADER) {
                result.completeExceptionally(log.notLeader());
                return;
            }
            completeConfChange(log.core().proposeConfChange(ConfChange.newBuilder()
                    .setType(ConfChangeType.CONF_CHANGE_TYPE_REMOVE).setNodeId(id).build()), result);
        });
        return result;
    }

    private void completeConfChange(ProposeResult r, CompletableFuture<Long> result) {
        switch (r) {
            case ProposeResult.Accepted a -> log.waitApplied(a.index(), () -> result.complete(a.index()));
            case ProposeResult.Rejected x -> result.completeExceptionally(switch (x.reason()) {
                case INVALID_CONF_CHANGE -> ApiException.failedPrecondition(x.detail());
                case CONF_CHANGE_PENDING -> ApiException.unavailable(x.detail() + "; retry shortly");
                default -> ApiException.unavailable(x.detail());
            });
        }
    }

    /** Hands leadership to {@code target} (or the most caught-up voter when empty). */
    CompletableFuture<String> transferLeadership(String target) {
        CompletableFuture<String> result = new CompletableFuture<>();
        log.submit(() -> {
            if (log.core() == null || log.core().role() != RaftRole.LEADER) {
                result.completeExceptionally(log.notLeader());
                return;
            }
            String to = target;
            if (to.isEmpty()) {
                RaftStatus s = log.core().status();
                to = s.progress().entrySet().stream()
                        .filter(e -> !e.getKey().equals(log.config().id()) && s.membership().getVotersList().contains(e.getKey()))
                        .max(java.util.Comparator.comparingLong(e -> e.getValue().match()))
                        .map(Map.Entry::getKey).orElse("");
            }
            if (to.isEmpty() || !log.core().transferLeadership(to)) {
                result.completeExceptionally(ApiException.failedPrecondition("no other voter to hand leadership to"));
                return;
            }
            result.complete(to);
        });
        return result;
    }

    /**
     * If this server leads, hands leadership to the most caught-up voter and waits (up to
     * {@code wait}) for it to take over, so that stopping this server costs no election timeout.
     */
    void handOffLeadership(Duration wait) {
        if (!log.view().isLeader() || log.view().voters().size() < 2) {
            return;
        }
        try {
            String target = transferLeadership("").get(wait.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + wait.toNanos();
            while (log.view().isLeader() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            LOG.info("raft: " + log.config().id() + (log.view().isLeader() ? " could not hand leadership to " + target + " in time"
                    : " handed leadership to " + target));
        } catch (Exception e) {
            LOG.info("raft: " + log.config().id() + " could not hand off leadership: " + e.getMessage());
        }
    }


}
