package dev.meshplane.controlplane.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.api.ApiException;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.RaftRole;
import dev.meshplane.controlplane.raft.RaftStatus;
import dev.meshplane.controlplane.raft.Ready;
import dev.meshplane.controlplane.raft.storage.RaftStorage;
import dev.meshplane.controlplane.raft.storage.StoredSnapshot;
import dev.meshplane.controlplane.state.ApplyResult;
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
    private final SnapshotKeeper snapshots;
    private final MembershipOps membership = new MembershipOps(this);
    private final ServerDiscovery discovery = new ServerDiscovery(this, ServerDiscovery.DEFAULT_DEAD_SERVER_GRACE);
    private final LoopStats stats;
    /**
     * Answers to writes collected while one Ready is applied, handed to a responder thread
     * together: one hand-off per Ready instead of one per write. Loop only.
     */
    private List<Runnable> answers = new ArrayList<>();
    private long ticks;
    private boolean wasLeader;
    private boolean membershipChanged = true;
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
        this.stats = new LoopStats(config.id());
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
        this.snapshots = new SnapshotKeeper(config, storage, store, this::submit);
        SnapshotMetadata snap = storage.log().snapshotMetadata();
        if (snap.getIndex() > 0) {
            snapshots.restoreStore(snap);
        }
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
        discovery.start();
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
                stats.maybeLog();
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
        if (core.role() == RaftRole.LEADER) {
            // Every tick: check-quorum clears every peer's recentActive once per election timeout,
            // so a check every electionTicks ticks could fall on the cleared phase each time and
            // never promote (ClusterTest caught a caught-up learner left unpromoted for 30 s).
            membership.promoteCaughtUpLearner();
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
                // A leader's committed entries are already in its own durable log (it counts itself
                // toward commit only after advance, and acks for this Ready's entries cannot have
                // arrived yet), so they are applied and answered before this Ready's fsync rather
                // than after it: one fsync less on every write's path. A follower may be handed
                // entries committed in the very Ready that persists them, so it keeps the order.
                apply(rd.committedEntries());
                flushAnswers();
            }
            persist(rd);
            if (!leaderSendsFirst) {
                rd.messages().forEach(this::send);
                apply(rd.committedEntries());
                flushAnswers();
            }
            stats.readies++;
            stats.messagesSent += rd.messages().size();
            rd.readStates().forEach(reads::onReadState);
            core.advance(rd);
            onSoftState(rd);
            reads.release(core.appliedIndex(), responder);
        }
        snapshots.maybeSnapshot(core);
    }

    private void persist(Ready rd) throws IOException {
        if (rd.snapshot().isPresent()) {
            snapshots.install(rd.snapshot().get());
            failPendingUpTo(rd.snapshot().get().getIndex());
            membershipChanged = true;
        }
        if (!rd.entries().isEmpty()) {
            long first = rd.entries().get(0).getIndex();
            if (first <= storage.log().lastIndex()) {
                storage.log().truncateSuffix(first);
            }
            storage.log().append(rd.entries());
            stats.entriesPersisted += rd.entries().size();
        }
        if (rd.mustSync()) {
            long before = storage.log().fsyncCount();
            storage.log().sync();
            stats.fsyncs += storage.log().fsyncCount() - before;
        }
        if (rd.hardState().isPresent()) {
            HardState hs = rd.hardState().get();
            // Term and vote must be durable before any message; a commit-only change is
            // recoverable from the log and the leader, so it is written only with them.
            if (hs.getTerm() != savedHardState.getTerm() || !hs.getVote().equals(savedHardState.getVote())) {
                storage.hardState().save(hs);
                savedHardState = hs;
                stats.hardStateSaves++;
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
            stats.entriesApplied++;
            switch (e.getType()) {
                case ENTRY_TYPE_NORMAL -> applyCommand(e);
                case ENTRY_TYPE_CONF_CHANGE -> {
                    learnAddress(e);
                    membershipChanged = true;
                }
                default -> { }
            }
            Pending p = pending.remove(e.getIndex());
            if (p != null && p.term() != e.getTerm()) {
                answers.add(() -> p.future().completeExceptionally(ApiException.unavailable(
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
            answers.add(() -> p.future().complete(applied));
        }
    }

    /**
     * Completes the writes answered by one Ready off the loop: completing runs the callers'
     * continuations (encoding the reply, handing it to gRPC), which the loop must not wait for.
     */
    private void flushAnswers() {
        if (answers.isEmpty()) {
            return;
        }
        List<Runnable> batch = answers;
        answers = new ArrayList<>();
        responder.execute(() -> {
            for (Runnable answer : batch) {
                try {
                    answer.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "raft: answering a write failed", e);
                }
            }
        });
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

    /** Cheap: scalars every time, the membership only when it changed. */
    private void publishView() {
        ClusterView old = view;
        List<String> voters = old.voters();
        List<String> learners = old.learners();
        if (membershipChanged) {
            membershipChanged = false;
            ConfState members = core.confState();
            voters = List.copyOf(members.getVotersList());
            learners = List.copyOf(members.getLearnersList());
        }
        String leader = core.leader();
        String leaderAddress = leader.isEmpty() ? "" : leader.equals(old.leaderId()) && !old.leaderAddress().isEmpty()
                ? old.leaderAddress() : book.address(leader).orElse("");
        long contactTicks = core.ticksSinceLeaderContact();
        view = new ClusterView(true, core.role(), core.term(), leader, leaderAddress, voters, learners,
                core.commitIndex(), core.appliedIndex(), contactTicks < 0 ? -1 : contactTicks * config.tick().toMillis());
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
                case ProposeResult.Accepted a -> {
                    pending.put(a.index(), new Pending(a.term(), future));
                    stats.proposals++;
                }
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
    void waitApplied(long index, Runnable action) {
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

    /**
     * A leader is known and has a quorum: this server leads (check-quorum would have made it step
     * down without one), or it heard from the leader within the election timeout.
     */
    public boolean hasLeaderWithQuorum() {
        ClusterView v = view;
        if (v.isLeader()) {
            return true;
        }
        return !v.leaderId().isEmpty() && v.lastContactMillis() >= 0
                && v.lastContactMillis() < config.electionTimeout().toMillis();
    }

    /** Where gossip reports servers coming, failing, leaving and moving. */
    public ServerDiscovery discovery() {
        return discovery;
    }

    MembershipOps membership() {
        return membership;
    }

    /** Where a follower is told to write the leader's snapshot (by {@link RaftRpc}). */
    RaftStorage storage() {
        return storage;
    }

    /** The core; loop thread only. */
    RaftNode core() {
        return core;
    }

    /** Installs the core once this server founds or joins a cluster; loop thread only. */
    void setCore(RaftNode node) {
        core = node;
        membershipChanged = true;
    }

    StorageLogView logView() {
        return new StorageLogView(storage.log());
    }

    HardState savedHardState() {
        return savedHardState;
    }

    RandomGenerator random() {
        return random;
    }

    /** A refusal for an operation only the leader performs, naming the leader when known. */
    ApiException notLeader() {
        ClusterView v = view;
        return ApiException.unavailable(v.leaderAddress().isEmpty() ? "no cluster leader is known"
                : "not the leader; the leader is " + v.leaderId() + " at " + v.leaderAddress());
    }

    RaftStatus status() {
        CompletableFuture<RaftStatus> s = new CompletableFuture<>();
        submit(() -> s.complete(core == null ? null : core.status()));
        return s.join();
    }

    /** @see MembershipOps#handOffLeadership */
    public void handOffLeadership(Duration wait) {
        membership.handOffLeadership(wait);
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
        discovery.close();
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
