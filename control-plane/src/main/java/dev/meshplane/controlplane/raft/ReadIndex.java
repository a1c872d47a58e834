package dev.meshplane.controlplane.raft;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader's ReadIndex: a read may be served at the commit index as of its arrival once the
 * leader has confirmed it was still the leader after that moment: a heartbeat round a quorum
 * acknowledged, or (LEASE_BASED) a valid lease. A new leader queues reads until it has committed
 * an entry of its own term, since before that its commit index may lag the cluster's.
 */
final class ReadIndex {
    private record Request(String from, ByteString context) {}

    private record Pending(long index, String from, ByteString context, Set<String> acks) {}

    private final Raft r;
    private final List<Request> waitingForCommit = new ArrayList<>();
    /** Heartbeat rounds in flight, oldest first, by context. */
    private final LinkedHashMap<ByteString, Pending> pending = new LinkedHashMap<>();

    ReadIndex(Raft raft) {
        this.r = raft;
    }

    /** A read from this server ({@code from} is its own ID) or one forwarded by a follower. */
    void onRequest(String from, ByteString context) {
        if (!r.committedEntryInCurrentTerm()) {
            waitingForCommit.add(new Request(from, context));
            return;
        }
        serve(from, context);
    }

    private void serve(String from, ByteString context) {
        if (r.tracker.isQuorum(Set.of(r.id))) {
            respond(from, r.log.committed, context); // the only voter: nobody else can lead
            return;
        }
        if (r.config.readOnly() == RaftConfig.ReadOnlyOption.LEASE_BASED && r.leaseValid()) {
            respond(from, r.log.committed, context);
            return;
        }
        if (pending.containsKey(context)) {
            return; // the same context is already in a round
        }
        Set<String> acks = new TreeSet<>();
        acks.add(r.id);
        pending.put(context, new Pending(r.log.committed, from, context, acks));
        r.replication.broadcastHeartbeat(context);
    }

    void onHeartbeatAck(String from, ByteString context) {
        Pending round = context.isEmpty() ? null : pending.get(context);
        if (round == null) {
            return;
        }
        round.acks().add(from);
        if (!r.tracker.isQuorum(round.acks())) {
            return;
        }
        // The quorum confirmed leadership after every earlier request arrived too: release them all.
        Iterator<Map.Entry<ByteString, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Pending p = it.next().getValue();
            it.remove();
            respond(p.from(), p.index(), p.context());
            if (p == round) {
                break;
            }
        }
    }

    /** The commit index moved: serve the reads that waited for this term's first commit. */
    void onCommit() {
        if (waitingForCommit.isEmpty() || !r.committedEntryInCurrentTerm()) {
            return;
        }
        List<Request> waiting = List.copyOf(waitingForCommit);
        waitingForCommit.clear();
        for (Request q : waiting) {
            serve(q.from(), q.context());
        }
    }

    ByteString lastPendingContext() {
        ByteString last = ByteString.EMPTY;
        for (ByteString c : pending.keySet()) {
            last = c;
        }
        return last;
    }

    /** Leadership changed: reads in progress are dropped; their callers time out and retry. */
    void reset() {
        waitingForCommit.clear();
        pending.clear();
    }

    private void respond(String from, long index, ByteString context) {
        if (from.equals(r.id)) {
            r.readStates.add(new ReadState(index, context));
        } else {
            r.send(RaftMessage.newBuilder().setType(MessageType.MESSAGE_TYPE_READ_INDEX_RESPONSE).setTo(from)
                    .setIndex(index).setContext(context));
        }
    }
}
