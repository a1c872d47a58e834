package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftRole;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One seeded run: a cluster of {@link SimNode}s, clients and an operator, under network faults,
 * crashes and membership changes for a while; then the faults stop and the cluster must elect a
 * leader and commit a new write everywhere within a bound. Safety is checked after every step,
 * linearizability of the client history at the end. Everything random comes from the seed.
 */
final class Simulation {
    /** What a run did; {@code failure} is null when every check passed. */
    record Outcome(SimOptions options, String failure, String trace, Map<String, Long> stats) {}

    private final SimOptions options;
    private final RandomGenerator random;
    final SimNetwork network;
    final Invariants invariants = new Invariants();
    final Trace trace;
    final TreeMap<String, SimNode> nodes = new TreeMap<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final Map<Long, SimClient> awaiting = new HashMap<>();
    private final List<Operation> history = new ArrayList<>();
    private final Chaos chaos;
    private long events;
    private long opIds;
    long now;
    private final Map<String, Long> stats = new LinkedHashMap<>();

    Simulation(SimOptions options, boolean verbose) {
        this.options = options;
        this.random = SimRandom.create(options.seed());
        this.network = new SimNetwork(SimRandom.create(random.nextLong()), options);
        this.trace = new Trace(verbose ? 0 : 300, verbose);
        List<String> founders = new ArrayList<>();
        for (int i = 1; i <= options.voters(); i++) {
            founders.add("n" + i);
        }
        ConfState conf = ConfState.newBuilder().addAllVoters(founders).build();
        for (String id : founders) {
            addNode(id, conf);
        }
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < options.keys(); k++) {
            keys.add("k" + k);
        }
        for (int c = 0; c < options.clients(); c++) {
            clients.add(new SimClient(c, this, SimRandom.create(random.nextLong()), keys));
        }
        this.chaos = new Chaos(this, SimRandom.create(random.nextLong()), options);
    }

    SimOptions options() {
        return options;
    }

    SimNode addNode(String id, ConfState founders) {
        SimNode n = new SimNode(id, founders, options, SimRandom.create(random.nextLong()), invariants, network, trace,
                new SimNode.Replies() {
                    @Override
                    public void answered(long opId, String output) {
                        SimClient c = awaiting.remove(opId);
                        if (c != null && c.waitingFor(opId)) {
                            c.answered(opId, output, now, id);
                        }
                    }

                    @Override
                    public void failed(long opId) {
                        SimClient c = awaiting.remove(opId);
                        if (c != null && c.waitingFor(opId)) {
                            c.failed(now);
                        }
                    }
                });
        nodes.put(id, n);
        return n;
    }

    Outcome run() {
        String failure = null;
        try {
            failure = loop();
            if (failure == null) {
                failure = checkHistory();
            }
        } catch (Invariants.SafetyViolation e) {
            failure = "safety violation: " + e.getMessage();
        } catch (RuntimeException e) {
            failure = "exception: " + e;
            trace.add(stackTrace(e));
        }
        stats.put("steps", now);
        stats.put("operations", (long) history.size());
        stats.put("leaders", invariants.leadersElected);
        stats.put("messages", network.sent);
        stats.put("dropped", network.dropped);
        stats.put("highestApplied", invariants.highestApplied());
        stats.put("snapshotsInstalled", nodes.values().stream().mapToLong(n -> n.snapshotsInstalled).sum());
        stats.put("compactions", nodes.values().stream().mapToLong(n -> n.compactions).sum());
        stats.put("unknownOutcomes", history.stream().filter(Operation::unknown).count());
        chaos.addStats(stats);
        return new Outcome(options, failure, trace.dump(), stats);
    }

    private String loop() {
        long end = options.chaosSteps() + SimOptions.LIVENESS_BOUND_STEPS;
        for (now = 0; now < end; now++) {
            trace.at(now);
            if (now < options.chaosSteps()) {
                chaos.maybeInjectFault(now);
            } else if (now == options.chaosSteps()) {
                chaos.stop(now);
            }
            chaos.restartDue(now);
            for (SimNetwork.Envelope e : network.due(now)) {
                deliver(e);
            }
            for (SimNode n : nodes.values()) {
                if (n.up()) {
                    n.maybeTick(now);
                }
            }
            for (SimClient c : clients) {
                c.step(now);
            }
            chaos.operate(now);
            for (SimNode n : nodes.values()) {
                if (n.up()) {
                    n.processReady(now);
                }
            }
            chaos.retireRemoved();
            invariants.onStep(nodes.values());
            if (now >= options.chaosSteps() && chaos.livenessSatisfied(now)) {
                stats.put("recoverySteps", now - options.chaosSteps());
                finishPending();
                return null;
            }
        }
        return "liveness: no leader committed a new write on every live member within "
                + SimOptions.LIVENESS_BOUND_STEPS + " steps after the faults stopped; " + describeCluster();
    }

    private void deliver(SimNetwork.Envelope e) {
        SimNode to = nodes.get(e.message().getTo());
        boolean delivered = !e.lost() && to != null && to.up();
        if (delivered) {
            to.deliver(e);
        }
        if (e.message().getType() == MessageType.MESSAGE_TYPE_SNAPSHOT) {
            SimNode from = nodes.get(e.message().getFrom());
            if (from != null) {
                from.reportSnapshot(e.message().getTo(), delivered, e.senderIncarnation());
            }
        }
    }

    void count(String what) {
        stats.merge(what, 1L, Long::sum);
    }

    /** The live leader with the highest term, or null. */
    SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.up() && n.raft.role() == RaftRole.LEADER && (best == null || n.raft.term() > best.raft.term())) {
                best = n;
            }
        }
        return best;
    }

    /**
     * The server a client contacts: its guess if that one is up, else a random live server that
     * knows itself a voter (as clients would find servers through the catalog), other than the
     * one that just turned the client away if there is a choice.
     */
    SimNode pickServer(String guess, String avoid) {
        SimNode g = nodes.get(guess);
        if (g != null && g.up()) {
            return g;
        }
        List<SimNode> live = new ArrayList<>(nodes.size());
        for (SimNode n : nodes.values()) {
            if (n.up() && n.raft.confState().getVotersList().contains(n.id)) {
                live.add(n);
            }
        }
        if (live.size() > 1) {
            live.removeIf(n -> n.id.equals(avoid));
        }
        return live.isEmpty() ? null : live.get(random.nextInt(live.size()));
    }

    long nextEvent() {
        return ++events;
    }

    long newOpId() {
        return ++opIds;
    }

    void awaiting(long opId, SimClient client) {
        awaiting.put(opId, client);
    }

    void record(Operation op) {
        history.add(op);
    }

    /** Writes still unanswered at the end may or may not have happened. */
    private void finishPending() {
        for (SimClient c : clients) {
            c.step(Long.MAX_VALUE);
        }
    }

    private String checkHistory() {
        LinearizabilityChecker.Result r = new LinearizabilityChecker(20_000_000).check(history);
        if (r.ok()) {
            return null;
        }
        StringBuilder b = new StringBuilder("linearizability: key " + r.key() + ": " + r.reason() + "\n  history of the key:");
        for (Operation op : r.operations().stream().sorted((x, y) -> Long.compare(x.call(), y.call())).toList()) {
            b.append("\n    ").append(op);
        }
        return b.toString();
    }

    String describeCluster() {
        StringBuilder b = new StringBuilder();
        nodes.forEach((id, n) -> b.append("\n  ").append(n.retired ? id + " retired" : n.up() ? n.raft.toString() : id + " down"));
        b.append("\n  partition: ").append(network.describePartition());
        return b.toString();
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    ProposeResult.Accepted proposeProbe(SimNode leader) {
        // The liveness probe is an ordinary write of a key no client uses.
        ProposeResult r = leader.write(newOpId(), new KvStore.Command(opIds, Operation.Kind.PUT, "liveness", "up", null));
        return r instanceof ProposeResult.Accepted a ? a : null;
    }
}
