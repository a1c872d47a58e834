package dev.meshplane.controlplane.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.RaftRole;
import dev.meshplane.controlplane.raft.RaftStatus;
import dev.meshplane.controlplane.raft.ReadState;
import dev.meshplane.controlplane.raft.Ready;
import dev.meshplane.controlplane.raft.storage.RaftStorage;
import dev.meshplane.controlplane.raft.storage.StoredSnapshot;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.controlplane.state.SnapshotReader;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.EntryType;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import dev.meshplane.proto.v1.Consistency;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The driver around the pure Raft core: it owns the loop thread that ticks the core, feeds it
 * messages and proposals, and carries out each {@link Ready} in the order the core requires:
 * persist (snapshot, entries, one fsync, hard state), then send, then apply to the state store,
 * then advance. Everything that touches the core is a task on the loop's queue; other threads
 * read only the published {@link ClusterView}.
 *
 * <p>Batching comes from the loop itself: proposals that arrive while the loop is busy with an
 * fsync are appended together in the next Ready and share the next fsync.
 */
public final class ReplicatedLog implements Consensus {
    private static final Logger LOG = Logger.getLogger(ReplicatedLog.class.getName());
    /** How long a write waits for a leader to appear before answering UNAVAILABLE. */
    static final Duration NO_LEADER_WAIT = Duration.ofSeconds(5);

    private final RaftServerConfig config;
    private final StateStore store;
    private final RaftStorage storage;
    private final AddressBook book;
    private final PeerTransport transport;
    private final RandomGenerator random;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final ExecutorService responder = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Long, Pending> pending = new HashMap<>();
    private final TreeMap<Long, List<Runnable>> appliedWaiters = new TreeMap<>();
    private final ReadBarriers reads = new ReadBarriers();
    private final List<Consumer<Boolean>> leadershipListeners = new CopyOnWriteArrayList<>();
    private final Forwarder forwarder;
    private final Thread loop;
    private RaftNode core;
    private volatile HardState savedHardState;
    private long ticks;
    private long snapshotIndex;
    private boolean snapshotting;
    private boolean wasLeader;
    private volatile ClusterView view = ClusterView.NONE;
    private volatile boolean running = true;

    private record Pending(long term, CompletableFuture<Applied> future) {}

    /**
     * Opens Raft's storage under the data dir, restores the state store from the newest
     * snapshot, and recovers or founds the core when it can decide alone (existing state, or a
     * cluster of one); otherwise {@link ClusterJoin} decides once it has found its peers.
     */
    public ReplicatedLog(RaftServerConfig config, StateStore store, RandomGenerator random) throws IOException {
        this.config = config;
        this.store = store;
        this.random = random;
        this.storage = RaftStorage.open(config.dataDir(), config.storage());
        this.book = new AddressBook(config.dataDir().resolve("raft").resolve("peers"));
        book.put(config.id(), config.advertiseAddress());
        this.transport = new PeerTransport(config.id(), book, new PeerTransport.Events() {
            @Override
            public void unreachable(String peer) {
                submit(() -> core.reportUnreachable(peer));
            }

            @Override
            public void snapshotSent(String peer, boolean success) {
                submit(() -> core.reportSnapshot(peer, success));
            }
        });
        this.forwarder = new Forwarder(transport);
        this.savedHardState = storage.hardState().load();
        SnapshotMetadata snap = storage.log().snapshotMetadata();
        if (snap.getIndex() > 0) {
            restoreStoreFrom(snap);
        }
        this.snapshotIndex = snap.getIndex();
        if (hasState()) {
            core = new RaftNode(config.raft(), new StorageLogView(storage.log()), savedHardState, random);
            LOG.info("raft: " + config.id() + " recovered: term " + savedHardState.getTerm() + ", log "
                    + storage.log().firstIndex() + ".." + storage.log().lastIndex() + ", snapshot " + snap.getIndex());
        } else if (config.bootstrapExpect() == 1) {
            core = RaftNode.found(config.raft(), new StorageLogView(storage.log()),
                    ConfState.newBuilder().addVoters(config.id()).build(), random);
            LOG.info("raft: " + config.id() + " founded a cluster of one");
        }
        this.loop = new Thread(this::run, "raft-loop-" + config.id());
        loop.setDaemon(true);
        loop.start();
    }

    boolean hasState() {
        return storage.log().lastIndex() > 0 || savedHardState.getTerm() > 0;
    }

    // ---- the loop ----

    private void run() {
        long tickNanos = config.tick().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        while (running) {
            try {
                long wait = nextTick - System.nanoTime();
                Runnable task = wait > 0 ? tasks.poll(wait, TimeUnit.NANOSECONDS) : tasks.poll();
                int drained = 0;
                while (task != null) {
                    runTask(task);
                    task = ++drained < 10_000 ? tasks.poll() : null;
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + tickNanos;
                    onTick();
                }
                if (core != null) {
                    reads.maybeIssue(ticks, core::readIndex);
                    processReady();
                    publishView();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | IOException e) {
                // A storage failure leaves the log in an unknown state: stop serving rather than risk
                // acknowledging what is not durable.
                LOG.log(Level.SEVERE, "raft: " + config.id() + " stops: " + e, e);
                running = false;
                failEverything("this server's Raft stopped: " + e.getMessage());
                return;
            }
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (ApiException e) {
            LOG.log(Level.FINE, "raft task refused", e);
        }
    }

    private void onTick() {
        ticks++;
        if (core == null) {
            return;
        }
        core.tick();
        reads.expire(ticks, 2L * config.raft().electionTicks());
        if (core.role() == RaftRole.LEADER && ticks % 10 == 0) {
            promoteCaughtUpLearner();
        }
    }

    void submit(Runnable task) {
        if (running) {
            tasks.add(task);
        }
    }

    private void processReady() throws IOException {
        while (core.hasReady()) {
            Ready rd = core.ready();
            // A leader may replicate its new entries while it writes them itself (Raft thesis
            // 10.2.1, as etcd does): it counts its own log toward commit only once the core is
            // told it is durable (advance), and its other messages promise nothing unpersisted.
            // Everyone else sends only after persisting: their acks and votes promise durability.
            boolean leaderSendsFirst = rd.softState().role() == RaftRole.LEADER && rd.snapshot().isEmpty();
            if (leaderSendsFirst) {
                rd.messages().forEach(this::send);
            }
            persist(rd);
            if (!leaderSendsFirst) {
                rd.messages().forEach(this::send);
            }
            apply(rd.committedEntries());
            rd.readStates().forEach(reads::onReadState);
            core.advance(rd);
            onSoftState(rd);
            reads.release(core.appliedIndex(), responder);
        }
        maybeSnapshot();
    }

    private void persist(Ready rd) throws IOException {
        if (rd.snapshot().isPresent()) {
            installSnapshot(rd.snapshot().get());
        }
        if (!rd.entries().isEmpty()) {
            long first = rd.entries().get(0).getIndex();
            if (first <= storage.log().lastIndex()) {
                storage.log().truncateSuffix(first);
            }
            storage.log().append(rd.entries());
        }
        if (rd.mustSync()) {
            storage.log().sync();
        }
        if (rd.hardState().isPresent()) {
            HardState hs = rd.hardState().get();
            // Term and vote must be durable before any message; a commit-only change is
            // recoverable from the log and the leader, so it is written only with them.
            if (hs.getTerm() != savedHardState.getTerm() || !hs.getVote().equals(savedHardState.getVote())) {
                storage.hardState().save(hs);
                savedHardState = hs;
            }
        }
    }

    private void send(RaftMessage m) {
        if (m.getType() == MessageType.MESSAGE_TYPE_SNAPSHOT) {
            Optional<StoredSnapshot> stored = storage.snapshots().list().stream()
                    .filter(s -> s.metadata().getIndex() == m.getSnapshot().getIndex()).findFirst();
            if (stored.isEmpty()) {
                LOG.warning("raft: no stored snapshot at index " + m.getSnapshot().getIndex() + " for " + m.getTo());
                core.reportSnapshot(m.getTo(), false);
                return;
            }
            transport.sendSnapshot(m, stored.get());
            return;
        }
        transport.send(m);
    }

    private void apply(List<RaftEntry> entries) {
        for (RaftEntry e : entries) {
            if (e.getIndex() <= core.appliedIndex()) {
                continue;
            }
            switch (e.getType()) {
                case ENTRY_TYPE_NORMAL -> applyCommand(e);
                case ENTRY_TYPE_CONF_CHANGE -> learnAddress(e);
                default -> { }
            }
            Pending p = pending.remove(e.getIndex());
            if (p != null && p.term() != e.getTerm()) {
                responder.execute(() -> p.future().completeExceptionally(ApiException.unavailable(
                        "leadership changed before the write was committed; it was not applied, retry")));
            }
            releaseAppliedWaiters(e.getIndex());
        }
    }

    private void applyCommand(RaftEntry e) {
        Command command;
        try {
            command = Command.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("committed entry " + e.getIndex() + " is not a command", ex);
        }
        ApplyResult result = store.apply(e.getIndex(), command);
        Pending p = pending.get(e.getIndex());
        if (p != null && p.term() == e.getTerm()) {
            pending.remove(e.getIndex());
            Applied applied = new Applied(e.getIndex(), result);
            responder.execute(() -> p.future().complete(applied));
        }
    }

    private void learnAddress(RaftEntry e) {
        try {
            ConfChange change = ConfChange.parseFrom(e.getData());
            if (!change.getContext().isEmpty()) {
                book.put(change.getNodeId(), change.getContext().toStringUtf8());
            }
            LOG.info("raft: " + config.id() + " applied membership change at " + e.getIndex() + ": "
                    + change.getType() + " " + change.getNodeId());
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("committed entry " + e.getIndex() + " is not a conf change", ex);
        }
    }

    private void releaseAppliedWaiters(long applied) {
        while (!appliedWaiters.isEmpty() && appliedWaiters.firstKey() <= applied) {
            appliedWaiters.pollFirstEntry().getValue().forEach(responder::execute);
        }
    }

    private void onSoftState(Ready rd) {
        boolean leader = rd.softState().role() == RaftRole.LEADER;
        if (leader != wasLeader) {
            wasLeader = leader;
            LOG.info("raft: " + config.id() + (leader ? " is the leader" : " is no longer the leader")
                    + " (term " + core.term() + ")");
            reads.failInFlight("leadership changed; retry");
            for (Consumer<Boolean> l : leadershipListeners) {
                responder.execute(() -> l.accept(leader));
            }
        }
    }

    private void publishView() {
        RaftStatus s = core.status();
        String leaderAddress = s.leader().isEmpty() ? "" : book.address(s.leader()).orElse("");
        long contactTicks = core.ticksSinceLeaderContact();
        view = new ClusterView(true, s.role(), s.term(), s.leader(), leaderAddress, s.membership().getVotersList(),
                s.membership().getLearnersList(), s.commit(), s.applied(),
                contactTicks < 0 ? -1 : contactTicks * config.tick().toMillis());
    }

    // ---- snapshots ----

    /** Takes a snapshot once enough entries were applied since the last one; compacts the log after. */
    private void maybeSnapshot() {
        long applied = core.appliedIndex();
        if (snapshotting || applied - snapshotIndex < config.snapshotThreshold()) {
            return;
        }
        snapshotting = true;
        SnapshotMetadata meta = SnapshotMetadata.newBuilder().setIndex(applied).setTerm(core.logTerm(applied))
                .setConfState(core.confState()).build();
        var captured = dev.meshplane.controlplane.state.StateSnapshot.capture(store);
        Thread.ofVirtual().name("raft-snapshot").start(() -> {
            try (var sink = storage.snapshots().create(meta)) {
                captured.writeTo(sink, config.id());
                sink.commit();
                submit(() -> afterSnapshot(meta));
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "raft: snapshot at " + meta.getIndex() + " failed; will retry", e);
                submit(() -> snapshotting = false);
            }
        });
    }

    private void afterSnapshot(SnapshotMetadata meta) {
        snapshotting = false;
        try {
            storage.log().recordSnapshot(meta);
            snapshotIndex = meta.getIndex();
            long compactTo = meta.getIndex() - config.trailingLogs();
            if (compactTo >= storage.log().firstIndex()) {
                storage.log().compact(compactTo);
            }
            LOG.info("raft: " + config.id() + " snapshot at index " + meta.getIndex() + ", log now from "
                    + storage.log().firstIndex());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A snapshot from the leader, already received and verified by {@link RaftRpc}: make it the state. */
    private void installSnapshot(SnapshotMetadata meta) throws IOException {
        storage.log().restoreSnapshot(meta);
        restoreStoreFrom(meta);
        snapshotIndex = meta.getIndex();
        failPendingUpTo(meta.getIndex());
        LOG.info("raft: " + config.id() + " installed the leader's snapshot at index " + meta.getIndex());
    }

    private void restoreStoreFrom(SnapshotMetadata meta) throws IOException {
        StoredSnapshot stored = storage.snapshots().list().stream()
                .filter(s -> s.metadata().getIndex() == meta.getIndex() && s.metadata().getTerm() == meta.getTerm())
                .findFirst()
                .orElseThrow(() -> new IOException("the snapshot at index " + meta.getIndex() + " is not stored"));
        try (InputStream in = stored.openData()) {
            SnapshotReader.Restored restored = SnapshotReader.read(in);
            store.restore(restored, Math.max(meta.getIndex(), store.lastIndex()));
        } catch (SnapshotReader.SnapshotException e) {
            throw new IOException("snapshot " + stored.path() + " holds no usable state: " + e.getMessage(), e);
        }
    }

    /** Writes whose entries a snapshot replaced: their fate is unknown here. */
    private void failPendingUpTo(long index) {
        for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> e = it.next();
            if (e.getKey() <= index) {
                it.remove();
                responder.execute(() -> e.getValue().future().completeExceptionally(ApiException.aborted(
                        "leadership changed while the write was pending; its outcome is unknown")));
            }
        }
        releaseAppliedWaiters(index);
    }

    /** Where a follower is told to write the leader's snapshot (by {@link RaftRpc}). */
    RaftStorage storage() {
        return storage;
    }

    // ---- membership ----

    private void promoteCaughtUpLearner() {
        RaftStatus s = core.status();
        for (String learner : s.membership().getLearnersList()) {
            RaftStatus.PeerProgress p = s.progress().get(learner);
            if (p != null && p.recentActive() && p.match() + 16 >= s.commit()) {
                ProposeResult r = core.proposeConfChange(ConfChange.newBuilder()
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
        submit(() -> {
            if (core != null) {
                return;
            }
            core = RaftNode.found(config.raft(), new StorageLogView(storage.log()),
                    ConfState.newBuilder().addAllVoters(voters).build(), random);
            LOG.info("raft: " + config.id() + " founded a cluster with " + voters);
        });
    }

    /** On the loop: become a member-to-be that waits for the leader to add it. */
    CompletableFuture<Void> prepareToJoin() {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        submit(() -> {
            if (core == null) {
                core = new RaftNode(config.raft(), new StorageLogView(storage.log()), savedHardState, random);
                LOG.info("raft: " + config.id() + " waits to be added to a cluster");
            }
            ready.complete(null);
        });
        return ready;
    }

    /** The leader adds a server as a non-voter; it is promoted once it has caught up. */
    CompletableFuture<Long> addServer(String id, String address) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        submit(() -> {
            if (core == null || core.role() != RaftRole.LEADER) {
                result.completeExceptionally(notLeader());
                return;
            }
            book.put(id, address);
            ConfState members = core.confState();
            if (members.getVotersList().contains(id) || members.getLearnersList().contains(id)) {
                result.complete(core.commitIndex());
                return;
            }
            ProposeResult r = core.proposeConfChange(ConfChange.newBuilder()
                    .setType(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER).setNodeId(id)
                    .setContext(ByteString.copyFromUtf8(address)).build());
            completeConfChange(r, result);
        });
        return result;
    }

    /** The leader removes a server (voter or not). */
    CompletableFuture<Long> removeServer(String id) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        submit(() -> {
            if (core == null || core.role() != RaftRole.LEADER) {
                result.completeExceptionally(notLeader());
                return;
            }
            completeConfChange(core.proposeConfChange(ConfChange.newBuilder()
                    .setType(ConfChangeType.CONF_CHANGE_TYPE_REMOVE).setNodeId(id).build()), result);
        });
        return result;
    }

    private void completeConfChange(ProposeResult r, CompletableFuture<Long> result) {
        switch (r) {
            case ProposeResult.Accepted a -> waitApplied(a.index(), () -> result.complete(a.index()));
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
        submit(() -> {
            if (core == null || core.role() != RaftRole.LEADER) {
                result.completeExceptionally(notLeader());
                return;
            }
            String to = target;
            if (to.isEmpty()) {
                RaftStatus s = core.status();
                to = s.progress().entrySet().stream()
                        .filter(e -> !e.getKey().equals(config.id()) && s.membership().getVotersList().contains(e.getKey()))
                        .max(java.util.Comparator.comparingLong(e -> e.getValue().match()))
                        .map(Map.Entry::getKey).orElse("");
            }
            if (to.isEmpty() || !core.transferLeadership(to)) {
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
    public void handOffLeadership(Duration wait) {
        if (!view.isLeader() || view.voters().size() < 2) {
            return;
        }
        try {
            String target = transferLeadership("").get(wait.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + wait.toNanos();
            while (view.isLeader() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            LOG.info("raft: " + config.id() + (view.isLeader() ? " could not hand leadership to " + target + " in time"
                    : " handed leadership to " + target));
        } catch (Exception e) {
            LOG.info("raft: " + config.id() + " could not hand off leadership: " + e.getMessage());
        }
    }

    RaftStatus status() {
        CompletableFuture<RaftStatus> s = new CompletableFuture<>();
        submit(() -> s.complete(core == null ? null : core.status()));
        return s.join();
    }

    private ApiException notLeader() {
        ClusterView v = view;
        return ApiException.unavailable(v.leaderAddress().isEmpty() ? "no cluster leader is known"
                : "not the leader; the leader is " + v.leaderId() + " at " + v.leaderAddress());
    }

    // ---- Consensus ----

    @Override
    public CompletableFuture<Applied> propose(Command command) {
        return propose(command, System.nanoTime() + NO_LEADER_WAIT.toNanos(), true);
    }

    /** A write forwarded to this server as the leader: it is not forwarded again. */
    CompletableFuture<Applied> proposeAsLeader(Command command) {
        return propose(command, System.nanoTime(), false);
    }

    private CompletableFuture<Applied> propose(Command command, long deadline, boolean mayForward) {
        CompletableFuture<Applied> future = new CompletableFuture<>();
        ByteString data = command.toByteString();
        submit(() -> {
            if (core == null) {
                future.completeExceptionally(ApiException.unavailable(
                        "this server has not joined a cluster yet; retry shortly"));
                return;
            }
            switch (core.propose(data)) {
                case ProposeResult.Accepted a -> pending.put(a.index(), new Pending(a.term(), future));
                case ProposeResult.Rejected r when !mayForward -> future.completeExceptionally(
                        ApiException.unavailable(r.detail() + "; retry"));
                case ProposeResult.Rejected r -> onRejected(r, command, deadline, future);
            }
        });
        if (!running) {
            future.completeExceptionally(ApiException.unavailable("server is shutting down"));
        }
        return future;
    }

    private void onRejected(ProposeResult.Rejected r, Command command, long deadline,
                            CompletableFuture<Applied> future) {
        switch (r.reason()) {
            case NOT_LEADER -> {
                Optional<String> leader = r.leaderHint().isEmpty() ? Optional.empty() : book.address(r.leaderHint());
                if (leader.isPresent()) {
                    // Answered as soon as the leader has applied it, as Consul does: waiting for this
                    // follower to apply it too would cost a heartbeat interval, and reads here that
                    // must see it (default and consistent ones) go through ReadIndex anyway.
                    forwarder.forward(leader.get(), command).whenComplete((applied, failure) -> {
                        if (failure != null) {
                            future.completeExceptionally(failure);
                        } else {
                            future.complete(applied);
                        }
                    });
                } else {
                    retryLater(command, deadline, future, "no cluster leader");
                }
            }
            case TRANSFERRING_LEADERSHIP -> retryLater(command, deadline, future, r.detail());
            case TOO_MANY_UNCOMMITTED_BYTES -> future.completeExceptionally(ApiException.resourceExhausted(
                    r.detail() + "; retry after a short back-off"));
            default -> future.completeExceptionally(ApiException.unavailable(r.detail()));
        }
    }

    private void retryLater(Command command, long deadline, CompletableFuture<Applied> future, String why) {
        if (System.nanoTime() - deadline > 0) {
            future.completeExceptionally(ApiException.unavailable(why + " (waited "
                    + NO_LEADER_WAIT.toSeconds() + " s); retry"));
            return;
        }
        CompletableFuture.delayedExecutor(config.tick().toMillis(), TimeUnit.MILLISECONDS).execute(() ->
                propose(command, deadline, true).whenComplete((a, t) -> {
                    if (t != null) {
                        future.completeExceptionally(t);
                    } else {
                        future.complete(a);
                    }
                }));
    }

    /** Runs {@code action} (off the loop) once this server has applied {@code index}. Loop only. */
    private void waitApplied(long index, Runnable action) {
        if (core != null && core.appliedIndex() >= index) {
            responder.execute(action);
        } else {
            appliedWaiters.computeIfAbsent(index, i -> new ArrayList<>()).add(action);
        }
    }

    @Override
    public CompletableFuture<ReadStatus> readBarrier(Consistency consistency) {
        ClusterView v = view;
        Duration contact = Duration.ofMillis(Math.max(0, v.lastContactMillis()));
        boolean knownLeader = !v.leaderId().isEmpty();
        if (consistency == Consistency.CONSISTENCY_STALE) {
            return CompletableFuture.completedFuture(new ReadStatus(knownLeader, contact, consistency));
        }
        CompletableFuture<ReadStatus> future = new CompletableFuture<>();
        submit(() -> {
            if (core == null) {
                future.completeExceptionally(ApiException.unavailable("this server has not joined a cluster yet"));
                return;
            }
            ReadStatus answer = new ReadStatus(!core.leader().isEmpty(), Duration.ZERO, consistency);
            if (consistency == Consistency.CONSISTENCY_DEFAULT && core.role() == RaftRole.LEADER && core.leaseValid()) {
                responder.execute(() -> future.complete(answer));
            } else {
                reads.enqueue(new ReadBarriers.Waiting(future, answer));
            }
        });
        return future;
    }

    @Override
    public String leaderAddress() {
        return view.leaderAddress();
    }

    @Override
    public List<String> voters() {
        List<String> out = new ArrayList<>();
        for (String id : view.voters()) {
            out.add(book.address(id).orElse(id));
        }
        return out;
    }

    /** Called with true when this server becomes the leader, false when it stops being it. */
    public void onLeadership(Consumer<Boolean> listener) {
        leadershipListeners.add(listener);
    }

    /** Messages from a peer (the RPC thread posts; the loop steps). */
    void receive(RaftMessage message) {
        submit(() -> {
            if (core != null) {
                core.step(message);
            }
        });
    }

    ClusterView view() {
        return view;
    }

    RaftServerConfig config() {
        return config;
    }

    AddressBook addressBook() {
        return book;
    }

    PeerTransport transport() {
        return transport;
    }

    private void failEverything(String why) {
        for (Pending p : pending.values()) {
            p.future().completeExceptionally(ApiException.unavailable(why));
        }
        pending.clear();
        reads.failInFlight(why);
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failEverything("server is shutting down");
        transport.close();
        forwarder.close();
        responder.shutdown();
        try {
            storage.close();
        } catch (IOException e) {
            LOG.warning("raft: closing storage: " + e);
        }
    }
}
