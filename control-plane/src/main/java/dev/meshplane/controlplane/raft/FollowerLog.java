package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.logging.Logger;

/** A follower's side of replication: appends, heartbeats and snapshots from the leader. */
final class FollowerLog {
    private static final Logger LOG = Logger.getLogger(FollowerLog.class.getName());

    private final Raft r;

    FollowerLog(Raft raft) {
        this.r = raft;
    }

    void onAppend(RaftMessage m) {
        if (m.getIndex() < r.log.committed) {
            respond(m, r.log.committed);
            return;
        }
        long lastNew = r.log.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
        if (lastNew >= 0) {
            respond(m, lastNew);
            return;
        }
        // Tell the leader where our log might match, so it skips whole terms that cannot.
        RaftLog.IndexTerm hint = r.log.findConflictByTerm(Math.min(m.getIndex(), r.log.lastIndex()), m.getLogTerm());
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_APPEND_RESPONSE).setTo(m.getFrom())
                .setIndex(m.getIndex()).setReject(true).setRejectHint(hint.index()).setLogTerm(hint.term())
                .setLeaderTick(m.getLeaderTick()));
    }

    void onHeartbeat(RaftMessage m) {
        r.log.commitTo(m.getCommit());
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_HEARTBEAT_RESPONSE).setTo(m.getFrom())
                .setContext(m.getContext()).setLeaderTick(m.getLeaderTick()));
    }

    void onSnapshot(RaftMessage m) {
        SnapshotMetadata s = m.getSnapshot();
        if (restore(s)) {
            LOG.fine(() -> r.id + " restored snapshot " + s.getIndex() + "/" + s.getTerm() + " from " + m.getFrom());
            respond(m, r.log.lastIndex());
        } else {
            respond(m, r.log.committed);
        }
    }

    /** Adopts the snapshot unless the log already covers it; returns whether it did. */
    private boolean restore(SnapshotMetadata s) {
        if (s.getIndex() <= r.log.committed) {
            return false;
        }
        if (r.log.matchTerm(s.getIndex(), s.getTerm())) {
            // The log already has the snapshot's last entry, so it agrees with everything the
            // snapshot covers: keep the entries after it (Raft Figure 13, rule 6) and just commit.
            r.log.commitTo(s.getIndex());
            return false;
        }
        // Our entry at the snapshot's index differs, or we do not have it: nothing after it can
        // match the leader either, so the snapshot replaces the whole log (rule 7).
        r.log.restore(s);
        r.tracker.setMembership(Membership.of(s.getConfState()), r.log.lastIndex());
        return true;
    }

    private void respond(RaftMessage m, long index) {
        r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_APPEND_RESPONSE).setTo(m.getFrom())
                .setIndex(index).setLeaderTick(m.getLeaderTick()));
    }
}
