package dev.meshplane.controlplane.raft.scenario;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.List;
import java.util.stream.Collectors;

/** One-line renderings of entries and messages for scenario transcripts. */
final class Describe {
    private Describe() {}

    static String entry(RaftEntry e) {
        String head = e.getIndex() + "/t" + e.getTerm();
        return switch (e.getType()) {
            case ENTRY_TYPE_NOOP -> head + " noop";
            case ENTRY_TYPE_CONF_CHANGE -> head + " conf " + confChange(e.getData());
            default -> head + " " + e.getData().toStringUtf8();
        };
    }

    static String entries(List<RaftEntry> entries) {
        return entries.stream().map(Describe::entry).collect(Collectors.joining(", ", "[", "]"));
    }

    static String confChange(ByteString data) {
        try {
            ConfChange cc = ConfChange.parseFrom(data);
            String type = switch (cc.getType()) {
                case CONF_CHANGE_TYPE_ADD_VOTER -> "add-voter";
                case CONF_CHANGE_TYPE_ADD_LEARNER -> "add-learner";
                case CONF_CHANGE_TYPE_REMOVE -> "remove";
                default -> cc.getType().name();
            };
            return type + " " + cc.getNodeId();
        } catch (InvalidProtocolBufferException e) {
            return "<unreadable>";
        }
    }

    static String conf(ConfState c) {
        return "voters=" + c.getVotersList() + (c.getLearnersCount() == 0 ? "" : " learners=" + c.getLearnersList());
    }

    static String snapshot(SnapshotMetadata s) {
        return s.getIndex() + "/t" + s.getTerm() + " " + conf(s.getConfState());
    }

    static String message(RaftMessage m) {
        StringBuilder b = new StringBuilder();
        b.append(m.getFrom()).append("->").append(m.getTo()).append(' ')
                .append(m.getType().name().substring("MESSAGE_TYPE_".length())).append(" term=").append(m.getTerm());
        switch (m.getType()) {
            case MESSAGE_TYPE_APPEND -> {
                b.append(" prev=").append(m.getIndex()).append("/t").append(m.getLogTerm()).append(" commit=").append(m.getCommit());
                if (m.getEntriesCount() > 0) {
                    b.append(" entries=").append(entries(m.getEntriesList()));
                }
            }
            case MESSAGE_TYPE_APPEND_RESPONSE -> {
                if (m.getReject()) {
                    b.append(" reject index=").append(m.getIndex()).append(" hint=").append(m.getRejectHint())
                            .append("/t").append(m.getLogTerm());
                } else {
                    b.append(" index=").append(m.getIndex());
                }
            }
            case MESSAGE_TYPE_VOTE, MESSAGE_TYPE_PRE_VOTE -> {
                b.append(" last=").append(m.getIndex()).append("/t").append(m.getLogTerm());
                if (m.getLeadershipTransfer()) {
                    b.append(" transfer");
                }
            }
            case MESSAGE_TYPE_VOTE_RESPONSE, MESSAGE_TYPE_PRE_VOTE_RESPONSE -> b.append(m.getReject() ? " rejected" : " granted");
            case MESSAGE_TYPE_HEARTBEAT -> b.append(" commit=").append(m.getCommit());
            case MESSAGE_TYPE_SNAPSHOT -> b.append(" snapshot=").append(snapshot(m.getSnapshot()));
            case MESSAGE_TYPE_READ_INDEX_RESPONSE -> b.append(" index=").append(m.getIndex());
            default -> { }
        }
        if (!m.getContext().isEmpty()) {
            b.append(" ctx=").append(m.getContext().toStringUtf8());
        }
        return b.toString();
    }
}
