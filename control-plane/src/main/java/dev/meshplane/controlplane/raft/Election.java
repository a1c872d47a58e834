package dev.meshplane.controlplane.raft;

import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftMessage;
import java.util.logging.Logger;

/** Campaigns (with or without pre-vote), answering vote requests, and counting votes. */
final class Election {
    private static final Logger LOG = Logger.getLogger(Election.class.getName());

    private final Raft r;

    Election(Raft raft) {
        this.r = raft;
    }

    /** The election timer fired (or the driver asked): campaign if this server may. */
    void hup(boolean transfer) {
        if (r.role == RaftRole.LEADER) {
            return;
        }
        if (!r.promotable()) {
            LOG.fine(() -> r.id + " does not campaign: not a voter in " + r.tracker.membership()
                    + (r.log.hasPendingSnapshot() ? " or a snapshot is pending" : ""));
            return;
        }
        if (r.log.hasUnappliedConfChange()) {
            // Its membership is about to change; campaigning under the old one could elect a
            // second leader. Applying the change first is cheap.
            LOG.fine(() -> r.id + " does not campaign: a committed membership change is not yet applied");
            return;
        }
        campaign(r.config.preVote() && !transfer, transfer);
    }

    private void campaign(boolean preVote, boolean transfer) {
        long voteTerm;
        MessageType type;
        if (preVote) {
            r.becomePreCandidate();
            voteTerm = r.term + 1;
            type = MessageType.MESSAGE_TYPE_PRE_VOTE;
        } else {
            r.becomeCandidate();
            voteTerm = r.term;
            type = MessageType.MESSAGE_TYPE_VOTE;
        }
        r.tracker.recordVote(r.id, true);
        if (r.tracker.tally() == ProgressTracker.VoteResult.WON) {
            won(preVote, transfer);
            return;
        }
        long lastIndex = r.log.lastIndex();
        long lastTerm = r.log.lastTerm();
        for (String voter : r.tracker.membership().voters()) {
            if (!voter.equals(r.id)) {
                r.send(RaftMessage.newBuilder().setType(type).setTo(voter).setTerm(voteTerm)
                        .setIndex(lastIndex).setLogTerm(lastTerm).setLeadershipTransfer(transfer));
            }
        }
    }

    private void won(boolean preVote, boolean transfer) {
        if (preVote) {
            campaign(false, transfer);
        } else {
            r.becomeLeader();
        }
    }

    void onTimeoutNow(RaftMessage m) {
        LOG.fine(() -> r.id + " campaigns at once: leadership transfer from " + m.getFrom());
        hup(true);
    }

    void onVoteRequest(RaftMessage m) {
        boolean pre = m.getType() == MessageType.MESSAGE_TYPE_PRE_VOTE;
        MessageType response = pre ? MessageType.MESSAGE_TYPE_PRE_VOTE_RESPONSE : MessageType.MESSAGE_TYPE_VOTE_RESPONSE;
        boolean canVote = r.vote.equals(m.getFrom())
                || (r.vote.isEmpty() && r.lead.isEmpty())
                || (pre && m.getTerm() > r.term);
        if (canVote && r.log.isUpToDate(m.getIndex(), m.getLogTerm())) {
            // The grant carries the candidate's term so that the candidate counts it.
            r.send(RaftMessage.newBuilder().setType(response).setTo(m.getFrom()).setTerm(m.getTerm()));
            if (!pre) {
                r.electionElapsed = 0;
                r.vote = m.getFrom();
            }
        } else {
            r.send(RaftMessage.newBuilder().setType(response).setTo(m.getFrom()).setTerm(r.term).setReject(true));
        }
    }

    void onVoteResponse(RaftMessage m) {
        r.tracker.recordVote(m.getFrom(), !m.getReject());
        switch (r.tracker.tally()) {
            case WON -> won(r.role == RaftRole.PRE_CANDIDATE, false);
            case LOST -> r.becomeFollower(r.term, "");
            case PENDING -> { }
        }
    }
}
