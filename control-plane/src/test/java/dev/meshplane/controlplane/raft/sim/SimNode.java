package dev.meshplane.controlplane.raft.sim;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.raft.MemoryRaftLog;
import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftConfig;
import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.ReadState;
import dev.meshplane.controlplane.raft.Ready;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One simulated server: a {@link RaftNode} driven the way a real driver must drive it, with a
 * "disk" (log, hard state, snapshot data) that survives crashes and everything else that does
 * not. Client requests arrive as method calls and are answered through {@link Replies}.
 */
final class SimNode {
    /** Where answers to client requests go. */
    interface Replies {
        void answered(long opId, String output);

        /** The operation certainly did not and will not take effect. */
        void failed(long opId);
    }

    private record PendingWrite(long opId, long term, ByteString data) {}

    private record PendingRead(long opId, String key) {}

    final String id;
    private final SimOptions options;
    private final RaftConfig config;
    private final RandomGenerator random;
    private final Invariants invariants;
    private final SimNetwork network;
    private final Trace trace;
    private final Replies replies;

    // ---- on disk ----
    final MemoryRaftLog storage;
    /** The founding membership if this server founded the cluster, else empty. */
    private final ConfState founders;
    private HardState hardState = HardState.getDefaultInstance();
    private byte[] snapshotData = new byte[0];

    // ---- in memory, lost on crash ----
    RaftNode raft;
    private KvStore kv;
    private long applied;
    int incarnation;
    private final Map<Long, PendingWrite> pendingWrites = new HashMap<>();
    private final Map<ByteString, PendingRead> pendingReads = new LinkedHashMap<>();
    private final List<ReadState> readsAwaitingApply = new ArrayList<>();
    private final Map<Long, byte[]> receivedSnapshots = new HashMap<>();
    private long nextTickAt;
    private final int tickPeriod;
    /** Removed from the cluster and shut down for good. */
    boolean retired;
    long snapshotsInstalled;
    long compactions;
    /** Faults have stopped: no more crashes while persisting. */
    boolean calm;

    SimNode(String id, ConfState founders, SimOptions options, RandomGenerator random, Invariants invariants,
            SimNetwork network, Trace trace, Replies replies) {
        this.id = id;
        this.options = options;
        this.config = options.raftConfig(id);
        this.random = random;
        this.invariants = invariants;
        this.network = network;
        this.trace = trace;
        this.replies = replies;
        this.founders = founders;
        this.storage = new MemoryRaftLog();
        // Clocks run at slightly different rates (within the lease's safety margin).
        this.tickPeriod = SimOptions.STEPS_PER_TICK - 1 + random.nextInt(3);
        start(0);
    }

    boolean up() {
        return raft != null;
    }

    private void start(long now) {
        incarnation++;
        kv = KvStore.restore(snapshotData);
        applied = storage.snapshot().getIndex();
        RandomGenerator coreRandom = SimRandom.create(random.nextLong());
        boolean neverPersisted = storage.lastIndex() == 0 && hardState.equals(HardState.getDefaultInstance());
        raft = neverPersisted && founders.getVotersCount() > 0
                ? RaftNode.found(config, storage, founders, coreRandom)
                : new RaftNode(config, storage, hardState, coreRandom);
        nextTickAt = now + 1 + random.nextInt(tickPeriod);
    }

    /** Loses everything not on disk. Pending client requests are never answered. */
    void crash() {
        trace.add(id + " crashes");
        raft = null;
        kv = null;
        pendingWrites.clear();
        pendingReads.clear();
        readsAwaitingApply.clear();
        receivedSnapshots.clear();
    }

    void restart(long now) {
        start(now);
        trace.add(id + " restarts at term " + hardState.getTerm() + " commit " + hardState.getCommit()
                + " log " + storage.firstIndex() + ".." + storage.lastIndex());
    }

    void maybeTick(long now) {
        if (now >= nextTickAt) {
            raft.tick();
            nextTickAt = now + tickPeriod;
        }
    }

    void deliver(SimNetwork.Envelope e) {
        RaftMessage m = e.message();
        if (m.getType() == MessageType.MESSAGE_TYPE_SNAPSHOT) {
            receivedSnapshots.put(m.getSnapshot().getIndex(), e.snapshotData());
        }
        raft.step(m);
    }

    // ---- client requests ----

    /** A write from a client; returns the leader hint if this server cannot take it. */
    ProposeResult write(long opId, KvStore.Command command) {
        ByteString data = command.encode();
        ProposeResult r = raft.propose(data);
        if (r instanceof ProposeResult.Accepted a) {
            pendingWrites.put(a.index(), new PendingWrite(opId, a.term(), data));
        }
        return r;
    }

    /** A linearizable read; false if no leader is known. */
    boolean read(long opId, String key) {
        ByteString ctx = ByteString.copyFromUtf8(id + ":" + opId);
        if (!raft.readIndex(ctx)) {
            return false;
        }
        pendingReads.put(ctx, new PendingRead(opId, key));
        return true;
    }

    /** The STALE_READS mutation: whatever this server has applied, no questions asked. */
    String staleRead(String key) {
        return kv.get(key);
    }

    // ---- the driver loop ----

    /** Handles one Ready, if any, as the driver contract says; may crash part way. */
    void processReady(long now) {
        if (!raft.hasReady() || random.nextDouble() >= options.diskReadyRate()) {
            return;
        }
        Ready rd = raft.ready();
        traceReady(rd);
        boolean sendFirst = options.mutation() == SimOptions.Mutation.SEND_BEFORE_PERSIST;
        if (sendFirst) {
            send(rd, now);
        }
        if (!calm && random.nextDouble() < options.crashMidReadyRate()) {
            persistSome(rd);
            crash();
            return;
        }
        persist(rd);
        if (!sendFirst) {
            send(rd, now);
        }
        apply(rd);
        raft.advance(rd);
        serveReads();
        maybeCompact();
    }

    private SoftStateSeen lastSoft;

    private record SoftStateSeen(String leader, String role, long term) {}

    private void traceReady(Ready rd) {
        SoftStateSeen soft = new SoftStateSeen(rd.softState().leader(), rd.softState().role().name(), raft.term());
        if (!soft.equals(lastSoft)) {
            lastSoft = soft;
            trace.add(id + " is " + soft.role() + " at term " + soft.term() + (soft.leader().isEmpty() ? "" : " (leader " + soft.leader() + ")"));
        }
        if (!trace.detailed()) {
            return;
        }
        rd.hardState().ifPresent(h -> trace.add(id + " hard state term=" + h.getTerm() + " vote=" + h.getVote() + " commit=" + h.getCommit()));
        rd.snapshot().ifPresent(s -> trace.add(id + " ready snapshot " + s.getIndex() + "/t" + s.getTerm()));
        if (!rd.entries().isEmpty()) {
            trace.add(id + " persists " + rd.entries().get(0).getIndex() + ".." + rd.entries().get(rd.entries().size() - 1).getIndex()
                    + " terms " + rd.entries().stream().map(e -> Long.toString(e.getTerm())).distinct().toList());
        }
        for (RaftMessage m : rd.messages()) {
            trace.add(id + " sends " + m.getType().name().substring(13) + " to " + m.getTo() + " term=" + m.getTerm()
                    + " index=" + m.getIndex() + " logTerm=" + m.getLogTerm() + " commit=" + m.getCommit()
                    + (m.getEntriesCount() > 0 ? " entries=" + m.getEntries(0).getIndex() + ".." + m.getEntries(m.getEntriesCount() - 1).getIndex() : "")
                    + (m.getReject() ? " reject hint=" + m.getRejectHint() : "")
                    + (m.hasSnapshot() ? " snapshot=" + m.getSnapshot().getIndex() + "/t" + m.getSnapshot().getTerm() : ""));
        }
        if (!rd.committedEntries().isEmpty()) {
            trace.add(id + " applies " + rd.committedEntries().get(0).getIndex() + ".."
                    + rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex());
        }
    }

    private void persist(Ready rd) {
        rd.snapshot().ifPresent(this::installSnapshot);
        persistEntries(rd.entries());
        rd.hardState().ifPresent(h -> hardState = h);
    }

    /** A crash while writing: the snapshot, then any prefix of the entries, maybe the hard state. */
    private void persistSome(Ready rd) {
        if (rd.snapshot().isPresent() && random.nextBoolean()) {
            installSnapshot(rd.snapshot().get());
        } else if (rd.snapshot().isPresent()) {
            trace.add(id + " crashes before persisting its Ready");
            return;
        }
        int n = random.nextInt(rd.entries().size() + 1);
        persistEntries(rd.entries().subList(0, n));
        boolean hard = n == rd.entries().size() && random.nextBoolean();
        if (hard) {
            rd.hardState().ifPresent(h -> hardState = h);
        }
        trace.add(id + " crashes while persisting: " + n + "/" + rd.entries().size() + " entries, hard state "
                + (hard ? "written" : "not written"));
    }

    private void installSnapshot(SnapshotMetadata s) {
        byte[] data = receivedSnapshots.get(s.getIndex());
        if (data == null) {
            throw new IllegalStateException(id + " must install snapshot " + s.getIndex() + " but never received its data");
        }
        storage.applySnapshot(s);
        snapshotData = data;
        kv = KvStore.restore(data);
        applied = s.getIndex();
        invariants.onSnapshotInstalled(id, s.getIndex(), kv.digest());
        snapshotsInstalled++;
        trace.add(id + " installs snapshot " + s.getIndex() + "/t" + s.getTerm());
    }

    private void persistEntries(List<RaftEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).getIndex();
        long prevTerm = storage.term(first - 1);
        storage.append(entries);
        invariants.onPersist(id, entries, prevTerm);
    }

    private void send(Ready rd, long now) {
        for (RaftMessage m : rd.messages()) {
            byte[] data = null;
            if (m.getType() == MessageType.MESSAGE_TYPE_SNAPSHOT) {
                if (m.getSnapshot().getIndex() != storage.snapshot().getIndex()) {
                    throw new IllegalStateException(id + " sends snapshot " + m.getSnapshot().getIndex()
                            + " but holds " + storage.snapshot().getIndex());
                }
                data = snapshotData;
            }
            network.send(m, data, now, incarnation);
        }
    }

    private void apply(Ready rd) {
        for (RaftEntry e : rd.committedEntries()) {
            if (e.getIndex() != applied + 1) {
                throw new Invariants.SafetyViolation(id + " was handed entry " + e.getIndex() + " to apply after " + applied);
            }
            String output = null;
            if (e.getType() == EntryType.ENTRY_TYPE_NORMAL) {
                KvStore.Command c = KvStore.Command.decode(e.getData());
                output = kv.apply(c);
            }
            applied = e.getIndex();
            invariants.onApply(id, e, kv.digest());
            PendingWrite w = pendingWrites.remove(e.getIndex());
            if (w != null) {
                if (w.term() == e.getTerm() && w.data().equals(e.getData())) {
                    replies.answered(w.opId(), output);
                } else {
                    replies.failed(w.opId()); // another entry won this index: ours is gone for good
                }
            }
        }
        readsAwaitingApply.addAll(rd.readStates());
    }

    private void serveReads() {
        for (Iterator<ReadState> it = readsAwaitingApply.iterator(); it.hasNext(); ) {
            ReadState s = it.next();
            if (s.index() > applied) {
                continue;
            }
            it.remove();
            PendingRead r = pendingReads.remove(s.context());
            if (r != null) {
                replies.answered(r.opId(), kv.get(r.key()));
            }
        }
    }

    /** Snapshots the state machine at the applied index once the log has grown enough. */
    private void maybeCompact() {
        if (applied - storage.snapshot().getIndex() < options.compactEvery() || applied > storage.lastIndex()) {
            return;
        }
        SnapshotMetadata s = SnapshotMetadata.newBuilder().setIndex(applied).setTerm(storage.term(applied))
                .setConfState(raft.confState()).build();
        snapshotData = kv.snapshot();
        storage.compact(s);
        compactions++;
    }

    void reportSnapshot(String to, boolean delivered, int senderIncarnation) {
        if (up() && incarnation == senderIncarnation) {
            raft.reportSnapshot(to, delivered);
        }
    }

    long applied() {
        return applied;
    }
}
