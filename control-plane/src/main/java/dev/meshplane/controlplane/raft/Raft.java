package dev.meshplane.controlplane.raft;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The Raft state machine proper: terms, roles and the dispatch of every message. Replication,
 * elections, the follower's side of the log and ReadIndex live in helpers that share this state.
 * Single-threaded; no clock, I/O or randomness of its own.
 */
final class Raft {
    private static final Logger LOG = Logger.getLogger(Raft.class.getName());

    final String id;
    final RaftConfig config;
    final RaftLog log;
    final ProgressTracker tracker;
    final List<RaftMessage> outbox = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    final Replication replication = new Replication(this);
    final Election election = new Election(this);
    final FollowerLog followerLog = new FollowerLog(this);
    final ReadIndex reads = new ReadIndex(this);
    private final RandomGenerator random;

    long term;
    String vote = "";
    String lead = "";
    RaftRole role = RaftRole.FOLLOWER;
    String leadTransferee = "";
    /**
     * This leader told a peer to campaign at once in this term. Voters grant that campaign even
     * inside the lease, and the message may arrive after the transfer was abandoned, so this
     * leader's lease can no longer be trusted for the rest of its term.
     */
    boolean timeoutNowSent;
    /** Index of the newest membership change the leader appended; none may follow until applied. */
    long pendingConfIndex;
    /** Bytes of entry data this leader appended that are not yet applied. */
    long uncommittedBytes;
    int electionElapsed;
    int heartbeatElapsed;
    int randomizedElectionTimeout;
    /** Ticks since this core was created; the leader lease is measured on it. */
    long ticks;
    /** Value of {@link #ticks} when the current leader was last heard from; -1 if never. */
    long leaderContactTick = -1;
    /**
     * Restarted with state: for its first election timeout this server may have acknowledged a
     * leader it no longer remembers, whose lease it must still honour.
     */
    private final boolean restarted;
    /** New entries (or a new commit index) wait to be sent at the next Ready. */
    boolean appendPending;
    boolean commitPending;

    Raft(RaftConfig config, RaftLogView storage, HardState hardState, RandomGenerator random) {
        this.id = config.id();
        this.config = config;
        this.random = random;
        this.log = new RaftLog(storage);
        this.tracker = new ProgressTracker(id, Membership.of(storage.snapshot().getConfState()),
                config.maxInflightMessages());
        long snapshotIndex = storage.snapshot().getIndex();
        if (hardState.getCommit() > storage.lastIndex() && hardState.getCommit() > snapshotIndex) {
            throw new IllegalArgumentException("hard state commit " + hardState.getCommit()
                    + " is beyond the last log index " + storage.lastIndex() + ": the log lost entries");
        }
        log.commitTo(Math.max(hardState.getCommit(), snapshotIndex));
        becomeFollower(hardState.getTerm(), "");
        this.vote = hardState.getVote();
        this.restarted = hardState.getTerm() > 0;
    }

    /**
     * Writes the founding membership into the empty log of a founding member: one committed
     * ADD_VOTER entry per founder at term 1, identical on every founder. Keeping membership in
     * the log (not beside it) lets a server added later learn it by replaying the log.
     */
    void found(ConfState founders) {
        if (log.lastIndex() != 0 || term != 0) {
            throw new IllegalArgumentException("cannot found a cluster on a log that is not empty (last index "
                    + log.lastIndex() + ", term " + term + "); restart it instead");
        }
        Membership m = Membership.of(founders);
        if (m.voters().isEmpty() || !m.contains(id)) {
            throw new IllegalArgumentException("founders " + m + " must have a voter and include this server " + id);
        }
        List<RaftEntry> entries = new ArrayList<>();
        for (String voter : founders.getVotersList()) {
            entries.add(foundingEntry(entries.size() + 1, ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER, voter));
        }
        for (String learner : founders.getLearnersList()) {
            entries.add(foundingEntry(entries.size() + 1, ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER, learner));
        }
        log.append(entries);
        log.commitTo(entries.size());
        becomeFollower(1, "");
    }

    private static RaftEntry foundingEntry(long index, ConfChangeType type, String node) {
        ConfChange change = ConfChange.newBuilder().setType(type).setNodeId(node).build();
        return RaftEntry.newBuilder().setIndex(index).setTerm(1)
                .setType(EntryType.ENTRY_TYPE_CONF_CHANGE).setData(change.toByteString()).build();
    }

    HardState hardState() {
        return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(log.committed).build();
    }

    SoftState softState() {
        return new SoftState(lead, role);
    }

    boolean promotable() {
        return tracker.membership().isVoter(id) && !log.hasPendingSnapshot();
    }

    boolean committedEntryInCurrentTerm() {
        return log.term(log.committed) == term;
    }

    /**
     * Whether this leader may answer reads from its own state without a heartbeat round: a
     * quorum acknowledged a message sent less than leaseTicks ago, so (with check-quorum) those
     * voters will refuse to elect anyone else for at least electionTicks after receiving it.
     */
    boolean leaseValid() {
        if (role != RaftRole.LEADER || !config.checkQuorum() || timeoutNowSent
                || !committedEntryInCurrentTerm()) {
            return false;
        }
        long acked = tracker.quorumAckedTick(ticks);
        return acked >= 0 && ticks - acked < config.leaseTicks();
    }

    // ---- time ----

    void tick() {
        ticks++;
        if (role == RaftRole.LEADER) {
            tickLeader();
        } else {
            electionElapsed++;
            if (promotable() && electionElapsed >= randomizedElectionTimeout) {
                electionElapsed = 0;
                election.hup(false);
            }
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= config.electionTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum()) {
                if (!tracker.quorumActive()) {
                    LOG.fine(() -> id + " steps down at term " + term + ": no quorum heard within an election timeout");
                    becomeFollower(term, "");
                    return;
                }
                tracker.clearRecentActive();
            }
            if (!leadTransferee.isEmpty()) {
                LOG.fine(() -> id + " gives up transferring leadership to " + leadTransferee);
                abortLeaderTransfer();
            }
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            replication.broadcastHeartbeat(reads.lastPendingContext());
        }
    }

    // ---- role changes ----

    private void reset(long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = "";
        }
        lead = "";
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
        abortLeaderTransfer();
        timeoutNowSent = false;
        tracker.resetVotes();
        tracker.resetAll(log.lastIndex());
        pendingConfIndex = 0;
        uncommittedBytes = 0;
        appendPending = false;
        commitPending = false;
        reads.reset();
    }

    void becomeFollower(long newTerm, String leader) {
        reset(newTerm);
        role = RaftRole.FOLLOWER;
        lead = leader;
        if (!leader.isEmpty()) {
            leaderContactTick = ticks;
        }
        LOG.fine(() -> id + " became follower at term " + term + (leader.isEmpty() ? "" : " of " + leader));
    }

    void becomePreCandidate() {
        // Neither the term nor the vote changes: a pre-vote must not disturb anyone.
        role = RaftRole.PRE_CANDIDATE;
        lead = "";
        tracker.resetVotes();
        LOG.fine(() -> id + " became pre-candidate at term " + term);
    }

    void becomeCandidate() {
        if (role == RaftRole.LEADER) {
            throw new IllegalStateException(id + " is leader and cannot become candidate");
        }
        reset(term + 1);
        vote = id;
        role = RaftRole.CANDIDATE;
        LOG.fine(() -> id + " became candidate at term " + term);
    }

    void becomeLeader() {
        if (role == RaftRole.FOLLOWER) {
            throw new IllegalStateException(id + " is follower and cannot become leader");
        }
        reset(term);
        role = RaftRole.LEADER;
        lead = id;
        Progress mine = tracker.get(id);
        mine.becomeReplicate();
        mine.match = log.lastStableIndex();
        mine.next = log.lastIndex() + 1;
        // No membership change until everything in the log so far has been applied.
        pendingConfIndex = log.lastIndex();
        // Commit an entry of this term at once: earlier entries commit only through it, and
        // ReadIndex waits for it.
        appendLeaderEntry(EntryType.ENTRY_TYPE_NOOP, ByteString.EMPTY);
        LOG.fine(() -> id + " became leader at term " + term);
    }

    long appendLeaderEntry(EntryType type, ByteString data) {
        long index = log.lastIndex() + 1;
        log.append(List.of(RaftEntry.newBuilder().setIndex(index).setTerm(term).setType(type).setData(data).build()));
        uncommittedBytes += data.size();
        appendPending = true;
        return index;
    }

    void abortLeaderTransfer() {
        leadTransferee = "";
    }

    /** Sends the appends and commit updates gathered since the last Ready. */
    void flushPending() {
        if (role == RaftRole.LEADER && (appendPending || commitPending)) {
            replication.broadcastAppend(commitPending);
        }
        appendPending = false;
        commitPending = false;
    }

    // ---- messages ----

    void send(RaftMessage.Builder m) {
        m.setFrom(id);
        if (m.getTerm() == 0) {
            m.setTerm(term);
        }
        outbox.add(m.build());
    }

    void step(RaftMessage m) {
        if (m.getTerm() > term) {
            if (isVoteRequest(m.getType())) {
                if (inLease() && !m.getLeadershipTransfer()) {
                    if (LOG.isLoggable(Level.FINE)) {
                        LOG.fine(id + " ignores " + m.getType() + " from " + m.getFrom() + " at term " + m.getTerm()
                                + ": it heard from a leader " + (ticks - leaderContactTick) + " ticks ago");
                    }
                    return;
                }
            }
            switch (m.getType()) {
                case MESSAGE_TYPE_PRE_VOTE -> { } // a pre-vote never raises our term
                case MESSAGE_TYPE_PRE_VOTE_RESPONSE -> {
                    if (m.getReject()) {
                        becomeFollower(m.getTerm(), "");
                    } // a granted pre-vote carries the term we would campaign at: keep ours
                }
                case MESSAGE_TYPE_APPEND, MESSAGE_TYPE_HEARTBEAT, MESSAGE_TYPE_SNAPSHOT ->
                        becomeFollower(m.getTerm(), m.getFrom());
                default -> becomeFollower(m.getTerm(), "");
            }
        } else if (m.getTerm() < term) {
            if ((config.checkQuorum() || config.preVote())
                    && (m.getType() == MessageType.MESSAGE_TYPE_APPEND || m.getType() == MessageType.MESSAGE_TYPE_HEARTBEAT)) {
                // A stale leader, or we raised our term while cut off and cannot get it back through
                // votes (which the lease or pre-vote now stop): a response at our term settles it.
                send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_APPEND_RESPONSE).setTo(m.getFrom()));
            } else if (m.getType() == MessageType.MESSAGE_TYPE_PRE_VOTE) {
                send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_PRE_VOTE_RESPONSE)
                        .setTo(m.getFrom()).setTerm(term).setReject(true));
            }
            return;
        }
        if (isVoteRequest(m.getType())) {
            election.onVoteRequest(m);
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER -> stepFollower(m);
        }
    }

    /**
     * Whether this server must ignore campaigns (check-quorum's lease): it leads, or heard from a
     * leader less than electionTicks ago, or restarted less than electionTicks ago (it may have
     * acknowledged a leader it no longer remembers). Measured from the last contact itself, not
     * from the current leader field, which other messages of a higher term may clear.
     */
    private boolean inLease() {
        if (!config.checkQuorum()) {
            return false;
        }
        return role == RaftRole.LEADER
                || (leaderContactTick >= 0 && ticks - leaderContactTick < config.electionTicks())
                || (restarted && ticks < config.electionTicks());
    }

    private static boolean isVoteRequest(MessageType type) {
        return type == MessageType.MESSAGE_TYPE_VOTE || type == MessageType.MESSAGE_TYPE_PRE_VOTE;
    }

    private void stepLeader(RaftMessage m) {
        switch (m.getType()) {
            case MESSAGE_TYPE_APPEND_RESPONSE -> replication.onAppendResponse(m);
            case MESSAGE_TYPE_HEARTBEAT_RESPONSE -> replication.onHeartbeatResponse(m);
            case MESSAGE_TYPE_READ_INDEX -> reads.onRequest(m.getFrom(), m.getContext());
            default -> { } // stale votes, or messages only followers act on
        }
    }

    private void stepCandidate(RaftMessage m) {
        switch (m.getType()) {
            case MESSAGE_TYPE_APPEND, MESSAGE_TYPE_HEARTBEAT, MESSAGE_TYPE_SNAPSHOT -> {
                becomeFollower(m.getTerm(), m.getFrom());
                stepFollower(m);
            }
            case MESSAGE_TYPE_VOTE_RESPONSE -> {
                if (role == RaftRole.CANDIDATE) {
                    election.onVoteResponse(m);
                }
            }
            case MESSAGE_TYPE_PRE_VOTE_RESPONSE -> {
                if (role == RaftRole.PRE_CANDIDATE) {
                    election.onVoteResponse(m);
                }
            }
            default -> { }
        }
    }

    private void stepFollower(RaftMessage m) {
        switch (m.getType()) {
            case MESSAGE_TYPE_APPEND -> {
                heardFromLeader(m.getFrom());
                followerLog.onAppend(m);
            }
            case MESSAGE_TYPE_HEARTBEAT -> {
                heardFromLeader(m.getFrom());
                followerLog.onHeartbeat(m);
            }
            case MESSAGE_TYPE_SNAPSHOT -> {
                heardFromLeader(m.getFrom());
                followerLog.onSnapshot(m);
            }
            case MESSAGE_TYPE_TIMEOUT_NOW -> election.onTimeoutNow(m);
            case MESSAGE_TYPE_READ_INDEX_RESPONSE -> readStates.add(new ReadState(m.getIndex(), m.getContext()));
            default -> { }
        }
    }

    private void heardFromLeader(String leader) {
        electionElapsed = 0;
        lead = leader;
        leaderContactTick = ticks;
    }
}
