package dev.meshplane.controlplane.raft.scenario;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;

/**
 * Parses a hand-written message for the {@code step} command:
 * {@code step FROM->TO TYPE term=N [index=N] [logterm=N] [commit=N] [reject] [hint=N]
 * [ctx=S] [transfer] [snapshot=INDEX/tTERM] [entries=INDEX/tTERM:DATA,...]}; a snapshot carries
 * the receiver's current membership ({@code conf}).
 */
final class MessageParser {
    private MessageParser() {}

    static RaftMessage parse(String[] args, ConfState conf) {
        String[] link = args[0].split("->");
        RaftMessage.Builder m = RaftMessage.newBuilder().setFrom(link[0]).setTo(link[1])
                .setType(MessageType.valueOf("MESSAGE_TYPE_" + args[1]));
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String key = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? "" : a.substring(eq + 1);
            switch (key) {
                case "term" -> m.setTerm(Long.parseLong(value));
                case "index" -> m.setIndex(Long.parseLong(value));
                case "logterm" -> m.setLogTerm(Long.parseLong(value));
                case "commit" -> m.setCommit(Long.parseLong(value));
                case "reject" -> m.setReject(true);
                case "hint" -> m.setRejectHint(Long.parseLong(value));
                case "ctx" -> m.setContext(ByteString.copyFromUtf8(value));
                case "transfer" -> m.setLeadershipTransfer(true);
                case "snapshot" -> {
                    long[] it = indexTerm(value);
                    m.setSnapshot(SnapshotMetadata.newBuilder().setIndex(it[0]).setTerm(it[1]).setConfState(conf));
                }
                case "entries" -> {
                    for (String e : value.split(",")) {
                        String[] parts = e.split(":", 2);
                        long[] it = indexTerm(parts[0]);
                        m.addEntries(RaftEntry.newBuilder().setIndex(it[0]).setTerm(it[1])
                                .setType(EntryType.ENTRY_TYPE_NORMAL).setData(ByteString.copyFromUtf8(parts[1])));
                    }
                }
                default -> throw new IllegalArgumentException("unknown message field " + key);
            }
        }
        return m.build();
    }

    /** "8/t2" -> {8, 2} */
    private static long[] indexTerm(String s) {
        String[] p = s.split("/t");
        return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])};
    }
}
