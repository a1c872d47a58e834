package dev.meshplane.controlplane.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * One server's Raft, as a pure single-threaded state machine (the etcd-io/raft model). Inputs:
 * {@link #tick()}, {@link #step(RaftMessage)}, {@link #propose(ByteString)},
 * {@link #proposeConfChange(ConfChange)}, {@link #readIndex(ByteString)},
 * {@link #transferLeadership(String)}. Output: a {@link Ready} to persist, send and apply,
 * followed by {@link #advance(Ready)}. It does no I/O, reads no clock and owns no thread; its only
 * randomness (the election timeout) comes from the generator it is given. Not thread-safe: the
 * driver calls it from one thread.
 */
public final class RaftNode {
    private static final Logger LOG = Logger.getLogger(RaftNode.class.getName());

    private final Raft raft;
    private SoftState lastSoftState;
    private HardState lastHardState;
    private Ready outstanding;

    /**
     * Starts a core over a persisted log and hard state: after a restart, or for a new server
     * that will be added to a running cluster (empty log, default {@link HardState}; it learns
     * the membership from the leader's log or snapshot). After a restart the state machine must
     * be at the log's snapshot: committed entries after it are handed out again for applying.
     */
    public RaftNode(RaftConfig config, RaftLogView log, HardState hardState, RandomGenerator random) {
        this.raft = new Raft(config, log, hardState, random);
        this.lastSoftState = raft.softState();
        this.lastHardState = hardState;
    }

    /**
     * Starts a founding member of a new cluster on an empty log. Every founder must be given the
     * same {@code founders}, in the same order: the first Ready persists one committed entry per
     * founder (ADD_VOTER, then ADD_LEARNER; term 1), so that the membership lives in the log and
     * a server added later learns it by replaying the log. A founder that crashes before
     * persisting that Ready (its log still empty) is founded again the same way.
     */
    public static RaftNode found(RaftConfig config, RaftLogView emptyLog, ConfState founders, RandomGenerator random) {
        RaftNode node = new RaftNode(config, emptyLog, HardState.getDefaultInstance(), random);
        node.raft.found(founders);
        return node;
    }

    /** Advances logical time by one tick: election timeouts, heartbeats, check-quorum, lease. */
    public void tick() {
        raft.tick();
    }

    /** Feeds a message from a peer. Messages for another server or without a type are refused. */
    public void step(RaftMessage message) {
        if (message.getType() == MessageType.MESSAGE_TYPE_UNSPECIFIED || message.getType() == MessageType.UNRECOGNIZED) {
            throw new IllegalArgumentException("raft message from '" + message.getFrom() + "' has no type");
        }
        if (!message.getTo().equals(raft.id)) {
            throw new IllegalArgumentException("raft message for '" + message.getTo() + "' delivered to '" + raft.id + "'");
        }
        if (message.getFrom().isEmpty()) {
            throw new IllegalArgumentException("raft " + message.getType() + " to '" + raft.id + "' names no sender");
        }
        raft.step(message);
    }

    /** Appends {@code data} as a command if this server leads; see {@link ProposeResult}. */
    public ProposeResult propose(ByteString data) {
        ProposeResult.Rejected refused = refuseIfCannotAppend();
        if (refused != null) {
            return refused;
        }
        if (raft.uncommittedBytes > 0 && raft.uncommittedBytes + data.size() > raft.config.maxUncommittedBytes()) {
            return new ProposeResult.Rejected(ProposeResult.Reason.TOO_MANY_UNCOMMITTED_BYTES, raft.id,
                    raft.uncommittedBytes + " bytes await commit; the limit is " + raft.config.maxUncommittedBytes());
        }
        long index = raft.appendLeaderEntry(EntryType.ENTRY_TYPE_NORMAL, data);
        return new ProposeResult.Accepted(index, raft.term);
    }

    /**
     * Appends a membership change if this server leads, no other change is still unapplied, and
     * the change makes sense for the current membership. It takes effect on each server when that
     * server applies it (at {@link #advance(Ready)}).
     */
    public ProposeResult proposeConfChange(ConfChange change) {
        ProposeResult.Rejected refused = refuseIfCannotAppend();
        if (refused != null) {
            return refused;
        }
        if (raft.pendingConfIndex > raft.log.applied) {
            return new ProposeResult.Rejected(ProposeResult.Reason.CONF_CHANGE_PENDING, raft.id,
                    "the change at index " + raft.pendingConfIndex + " (or an earlier entry) is not applied yet; applied "
                            + raft.log.applied);
        }
        try {
            raft.tracker.membership().apply(change);
        } catch (IllegalArgumentException e) {
            return new ProposeResult.Rejected(ProposeResult.Reason.INVALID_CONF_CHANGE, raft.id, e.getMessage());
        }
        long index = raft.appendLeaderEntry(EntryType.ENTRY_TYPE_CONF_CHANGE, change.toByteString());
        raft.pendingConfIndex = index;
        return new ProposeResult.Accepted(index, raft.term);
    }

    private ProposeResult.Rejected refuseIfCannotAppend() {
        if (raft.role != RaftRole.LEADER) {
            return new ProposeResult.Rejected(ProposeResult.Reason.NOT_LEADER, raft.lead,
                    raft.id + " is " + raft.role + (raft.lead.isEmpty() ? " and knows no leader" : "; the leader is " + raft.lead));
        }
        if (!raft.leadTransferee.isEmpty()) {
            return new ProposeResult.Rejected(ProposeResult.Reason.TRANSFERRING_LEADERSHIP, raft.leadTransferee,
                    raft.id + " is handing leadership to " + raft.leadTransferee);
        }
        return null;
    }

    /**
     * Asks for a linearizable read point tagged {@code context} (unique per request across the
     * cluster). The answer comes as a {@link ReadState} in a later Ready; a follower forwards the
     * request to the leader. Returns false when no leader is known (the request is dropped).
     * Requests still unanswered when leadership changes are dropped: time them out.
     */
    public boolean readIndex(ByteString context) {
        if (context.isEmpty()) {
            throw new IllegalArgumentException("readIndex context must not be empty");
        }
        if (raft.role == RaftRole.LEADER) {
            raft.reads.onRequest(raft.id, context);
            return true;
        }
        if (raft.lead.isEmpty()) {
            return false;
        }
        raft.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_READ_INDEX).setTo(raft.lead).setContext(context));
        return true;
    }

    /**
     * Hands leadership to voter {@code target}: once its log is caught up it is told to campaign
     * at once. Proposals are refused meanwhile; it is abandoned after an election timeout.
     * Returns false if this server is not the leader.
     */
    public boolean transferLeadership(String target) {
        return raft.replication.transferLeadership(target);
    }

    /** Campaigns now (with pre-vote if configured) instead of waiting for the election timeout. */
    public void campaign() {
        raft.election.hup(false);
    }

    /** The driver could not deliver to {@code peer}: stop pipelining to it, probe instead. */
    public void reportUnreachable(String peer) {
        raft.replication.onUnreachable(peer);
    }

    /** How the transfer of a snapshot to {@code peer} ended; on failure it is retried later. */
    public void reportSnapshot(String peer, boolean success) {
        raft.replication.onSnapshotStatus(peer, success);
    }

    /** Whether {@link #ready()} has anything; false while a Ready is not yet advanced. */
    public boolean hasReady() {
        if (outstanding != null) {
            return false;
        }
        raft.flushPending();
        return raft.role != lastSoftState.role() || !raft.lead.equals(lastSoftState.leader())
                || raft.term != lastHardState.getTerm() || !raft.vote.equals(lastHardState.getVote())
                || raft.log.committed != lastHardState.getCommit()
                || !raft.log.unstableEntries().isEmpty()
                || raft.log.hasPendingSnapshot()
                || !raft.outbox.isEmpty()
                || !raft.readStates.isEmpty()
                || raft.log.hasNextCommittedEntries();
    }

    /** Collects the work for the driver; call {@link #advance(Ready)} when it is done. */
    public Ready ready() {
        if (outstanding != null) {
            throw new IllegalStateException("ready() called again before advance() of the previous Ready");
        }
        raft.flushPending();
        SoftState soft = raft.softState();
        HardState hard = raft.hardState();
        Optional<HardState> hardChange = hard.equals(lastHardState) ? Optional.empty() : Optional.of(hard);
        List<RaftEntry> entries = List.copyOf(raft.log.unstableEntries());
        Optional<SnapshotMetadata> snapshot = Optional.ofNullable(raft.log.pendingSnapshot());
        boolean mustSync = !entries.isEmpty() || snapshot.isPresent()
                || hard.getTerm() != lastHardState.getTerm() || !hard.getVote().equals(lastHardState.getVote());
        Ready ready = new Ready(soft, hardChange, entries, snapshot, raft.outbox,
                raft.log.nextCommittedEntries(raft.config.maxCommittedBytesPerReady()), raft.readStates, mustSync);
        raft.outbox.clear();
        raft.readStates.clear();
        lastSoftState = soft;
        lastHardState = hard;
        outstanding = ready;
        return ready;
    }

    /**
     * The driver persisted, sent and applied {@code ready}. Entries become stable (a leader now
     * counts them toward commit), applied entries' membership changes take effect.
     */
    public void advance(Ready ready) {
        if (ready != outstanding) {
            throw new IllegalStateException("advance() given a Ready that is not the one ready() returned last");
        }
        outstanding = null;
        ready.snapshot().ifPresent(s -> {
            raft.log.stableSnapshotTo(s.getIndex());
            raft.log.appliedTo(s.getIndex());
        });
        if (!ready.entries().isEmpty()) {
            RaftEntry last = ready.entries().get(ready.entries().size() - 1);
            raft.log.stableTo(last.getIndex(), last.getTerm());
        }
        for (RaftEntry e : ready.committedEntries()) {
            if (e.getIndex() <= raft.log.applied) {
                continue; // superseded by a snapshot installed meanwhile
            }
            if (e.getType() == EntryType.ENTRY_TYPE_CONF_CHANGE) {
                applyConfChange(e);
            }
            if (raft.role == RaftRole.LEADER && e.getTerm() == raft.term) {
                raft.uncommittedBytes = Math.max(0, raft.uncommittedBytes - e.getData().size());
            }
            raft.log.appliedTo(e.getIndex());
        }
        if (raft.role == RaftRole.LEADER) {
            // A leader counts its own log toward commit only once it is on disk, even alone.
            raft.tracker.get(raft.id).maybeUpdate(raft.log.lastStableIndex());
            if (raft.replication.maybeCommit()) {
                raft.commitPending = true;
            }
        }
    }

    private void applyConfChange(RaftEntry entry) {
        ConfChange change;
        try {
            change = ConfChange.parseFrom(entry.getData());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("committed conf change at index " + entry.getIndex() + " is unreadable", e);
        }
        Membership next;
        try {
            next = raft.tracker.membership().apply(change);
        } catch (IllegalArgumentException e) {
            // Every server skips it alike: the check depends only on the log.
            LOG.warning(raft.id + " skips conf change at index " + entry.getIndex() + ": " + e.getMessage());
            return;
        }
        raft.tracker.setMembership(next, raft.log.lastIndex());
        LOG.fine(() -> raft.id + " applied conf change at " + entry.getIndex() + ": " + next);
        if (raft.role != RaftRole.LEADER) {
            return;
        }
        if (!next.isVoter(raft.id)) {
            LOG.info(raft.id + " steps down: it is no longer a voter (" + next + ")");
            raft.becomeFollower(raft.term, "");
            return;
        }
        if (!raft.leadTransferee.isEmpty() && !next.isVoter(raft.leadTransferee)) {
            raft.abortLeaderTransfer();
        }
        raft.appendPending = true; // new members need the log
    }

    /** Whether this leader may serve a read from its own state without a quorum round now. */
    public boolean leaseValid() {
        return raft.leaseValid();
    }

    /** Ticks since the current leader was last heard from (0 on the leader; -1 if never). */
    public long ticksSinceLeaderContact() {
        if (raft.role == RaftRole.LEADER) {
            return 0;
        }
        return raft.leaderContactTick < 0 ? -1 : raft.ticks - raft.leaderContactTick;
    }

    /** Membership as of the applied index: what a snapshot taken now must record. */
    public ConfState confState() {
        return raft.tracker.membership().toConfState();
    }

    /** Term of the entry at {@code index} in this core's log (persisted or not); -1 if unknown. */
    public long logTerm(long index) {
        return raft.log.term(index);
    }

    public String id() {
        return raft.id;
    }

    public long term() {
        return raft.term;
    }

    public String leader() {
        return raft.lead;
    }

    public RaftRole role() {
        return raft.role;
    }

    public long commitIndex() {
        return raft.log.committed;
    }

    public long appliedIndex() {
        return raft.log.applied;
    }

    public long lastIndex() {
        return raft.log.lastIndex();
    }

    public RaftStatus status() {
        Map<String, RaftStatus.PeerProgress> progress = new LinkedHashMap<>();
        if (raft.role == RaftRole.LEADER) {
            raft.tracker.all().forEach((id, p) -> progress.put(id, new RaftStatus.PeerProgress(
                    p.match, p.next, p.state.name(), p.isPaused(), p.inflights.count(), p.recentActive, p.learner)));
        }
        return new RaftStatus(raft.id, raft.term, raft.vote, raft.lead, raft.role, raft.log.committed,
                raft.log.applied, raft.log.lastIndex(), confState(), raft.leadTransferee, progress);
    }

    @Override
    public String toString() {
        return raft.id + " " + raft.role + " term=" + raft.term + " lead=" + raft.lead + " " + raft.log;
    }
}
