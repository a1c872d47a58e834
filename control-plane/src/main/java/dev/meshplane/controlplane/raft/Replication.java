package dev.meshplane.controlplane.raft;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The leader's side of log replication: appends with batching and flow control, heartbeats,
 * snapshots for followers whose next entries were compacted away, acknowledgements, the commit
 * index, and leadership transfer.
 */
final class Replication {
    private static final Logger LOG = Logger.getLogger(Replication.class.getName());

    private final Raft r;

    Replication(Raft raft) {
        this.r = raft;
    }

    /**
     * Sends new entries to every peer, as many batches as flow control allows; with
     * {@code evenIfEmpty}, peers with nothing new still get the new commit index.
     */
    void broadcastAppend(boolean evenIfEmpty) {
        for (String peer : r.tracker.all().keySet()) {
            if (!peer.equals(r.id) && maybeSendAppend(peer, evenIfEmpty)) {
                while (maybeSendAppend(peer, false)) {
                    // fill the pipeline
                }
            }
        }
    }

    /**
     * Sends {@code to} its next batch of entries if flow control allows (or a snapshot when they
     * were compacted away). Returns whether a message was sent.
     */
    boolean maybeSendAppend(String to, boolean evenIfEmpty) {
        Progress p = r.tracker.get(to);
        if (p == null || p.isPaused()) {
            return false;
        }
        long prevIndex = p.next - 1;
        long prevTerm = r.log.term(prevIndex);
        List<RaftEntry> entries = prevTerm == RaftLog.UNKNOWN ? null
                : r.log.entriesFrom(p.next, r.config.maxSizePerMessage());
        if (entries == null) {
            return sendSnapshot(to, p);
        }
        if (entries.isEmpty() && !evenIfEmpty) {
            return false;
        }
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_APPEND).setTo(to)
                .setIndex(prevIndex).setLogTerm(prevTerm).addAllEntries(entries)
                .setCommit(r.log.committed).setLeaderTick(r.ticks));
        if (p.state == Progress.State.REPLICATE && !entries.isEmpty()) {
            long last = entries.get(entries.size() - 1).getIndex();
            p.optimisticUpdate(last);
            p.inflights.add(last);
        } else if (p.state == Progress.State.PROBE) {
            p.probeSent = true;
        }
        return true;
    }

    private boolean sendSnapshot(String to, Progress p) {
        if (!p.recentActive) {
            LOG.fine(() -> r.id + " holds back a snapshot for " + to + ": not heard from recently");
            return false;
        }
        SnapshotMetadata snapshot = r.log.snapshot();
        if (snapshot.getIndex() == 0) {
            LOG.fine(() -> r.id + " cannot catch up " + to + ": its entries are compacted and no snapshot exists yet");
            return false;
        }
        p.becomeSnapshot(snapshot.getIndex());
        LOG.fine(() -> r.id + " sends snapshot " + snapshot.getIndex() + "/" + snapshot.getTerm() + " to " + to);
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_SNAPSHOT).setTo(to).setSnapshot(snapshot));
        return true;
    }

    void broadcastHeartbeat(ByteString context) {
        for (Map.Entry<String, Progress> e : r.tracker.all().entrySet()) {
            if (e.getKey().equals(r.id)) {
                continue;
            }
            // A follower may only commit what it is known to hold.
            long commit = Math.min(e.getValue().match, r.log.committed);
            r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_HEARTBEAT).setTo(e.getKey())
                    .setCommit(commit).setContext(context).setLeaderTick(r.ticks));
        }
    }

    void onAppendResponse(RaftMessage m) {
        Progress p = r.tracker.get(m.getFrom());
        if (p == null) {
            return;
        }
        heardFrom(p, m);
        if (m.getReject()) {
            long hint = Math.min(m.getRejectHint(), r.log.lastIndex());
            if (m.getLogTerm() > 0) {
                hint = r.log.findConflictByTerm(hint, m.getLogTerm()).index();
            }
            if (p.maybeDecreaseTo(m.getIndex(), hint)) {
                if (p.state == Progress.State.REPLICATE) {
                    p.becomeProbe();
                }
                maybeSendAppend(m.getFrom(), true);
            }
            return;
        }
        boolean updated = p.maybeUpdate(m.getIndex())
                || (p.match == m.getIndex() && p.state == Progress.State.PROBE);
        if (!updated) {
            return;
        }
        switch (p.state) {
            case PROBE -> p.becomeReplicate();
            case SNAPSHOT -> {
                if (p.match + 1 >= r.log.firstIndex()) {
                    p.becomeProbe();
                    p.becomeReplicate();
                }
            }
            case REPLICATE -> p.inflights.freeUpTo(m.getIndex());
        }
        if (maybeCommit()) {
            r.commitPending = true;
        }
        while (maybeSendAppend(m.getFrom(), false)) {
            // keep the pipeline full
        }
        if (m.getFrom().equals(r.leadTransferee) && p.match == r.log.lastIndex()) {
            sendTimeoutNow(m.getFrom());
        }
    }

    void onHeartbeatResponse(RaftMessage m) {
        Progress p = r.tracker.get(m.getFrom());
        if (p == null) {
            return;
        }
        heardFrom(p, m);
        p.probeSent = false;
        if (p.state == Progress.State.REPLICATE && p.inflights.full()) {
            // Appends may have been lost; free a slot so that one more goes out and, if it lands
            // after a gap, its rejection puts the follower back to probing.
            p.inflights.freeFirst();
        }
        if (p.match < r.log.lastIndex() || p.state == Progress.State.PROBE) {
            maybeSendAppend(m.getFrom(), true);
        }
        r.reads.onHeartbeatAck(m.getFrom(), m.getContext());
    }

    private void heardFrom(Progress p, RaftMessage m) {
        p.recentActive = true;
        p.ackedLeaderTick = Math.max(p.ackedLeaderTick, m.getLeaderTick());
    }

    /** Advances the commit index to what a quorum holds, if that entry is of this term. */
    boolean maybeCommit() {
        long index = r.tracker.committedIndex();
        if (index <= r.log.committed || r.log.term(index) != r.term) {
            return false;
        }
        r.log.commitTo(index);
        r.reads.onCommit();
        return true;
    }

    void sendTimeoutNow(String to) {
        LOG.fine(() -> r.id + " tells " + to + " to campaign now (leadership transfer)");
        r.timeoutNowSent = true;
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_TIMEOUT_NOW).setTo(to));
    }

    /** Starts handing leadership to {@code target}; false if this server is not the leader. */
    boolean transferLeadership(String target) {
        if (r.role != RaftRole.LEADER) {
            return false;
        }
        if (target.equals(r.id)) {
            r.abortLeaderTransfer();
            return true;
        }
        if (!r.tracker.membership().isVoter(target)) {
            throw new IllegalArgumentException("cannot transfer leadership to " + target + ": not a voter ("
                    + r.tracker.membership() + ")");
        }
        if (target.equals(r.leadTransferee)) {
            return true;
        }
        // The transfer must finish within an election timeout, else it is abandoned.
        r.electionElapsed = 0;
        r.leadTransferee = target;
        if (r.tracker.get(target).match == r.log.lastIndex()) {
            sendTimeoutNow(target);
        } else {
            maybeSendAppend(target, true);
        }
        return true;
    }

    void onSnapshotStatus(String peer, boolean success) {
        Progress p = r.tracker.get(peer);
        if (r.role != RaftRole.LEADER || p == null || p.state != Progress.State.SNAPSHOT) {
            return;
        }
        if (!success) {
            p.pendingSnapshot = 0;
        }
        p.becomeProbe();
        // Wait for a heartbeat response before probing, so that a failed peer is not flooded.
        p.probeSent = true;
    }

    void onUnreachable(String peer) {
        Progress p = r.tracker.get(peer);
        if (r.role == RaftRole.LEADER && p != null && p.state == Progress.State.REPLICATE) {
            p.becomeProbe();
        }
    }
}
