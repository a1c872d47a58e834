package dev.meshplane.controlplane.raft.scenario;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.raft.MemoryRaftLog;
import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.controlplane.raft.RaftConfig;
import dev.meshplane.controlplane.raft.RaftStatus;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs scenario commands against a cluster of cores over a FIFO network that delivers only when
 * told to. Every command returns the lines it printed; see {@code scenarios/README.md}.
 */
final class ScenarioCluster {
    private final Map<String, ScenarioNode> nodes = new TreeMap<>();
    private final List<RaftMessage> network = new ArrayList<>();
    /** Partition group of each node; messages between different groups are dropped. */
    private final Map<String, Integer> groups = new HashMap<>();
    private RaftConfig template = RaftConfig.defaults("template");

    /** Runs one command; a refusal by the core (IllegalArgumentException) is printed, not thrown. */
    List<String> run(String line) {
        try {
            return execute(line);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("unknown scenario command")) {
                throw e;
            }
            return List.of("error: " + e.getMessage());
        }
    }

    private List<String> execute(String line) {
        String[] w = line.trim().split("\\s+");
        String[] args = Arrays.copyOfRange(w, 1, w.length);
        return switch (w[0]) {
            case "cluster" -> cluster(args);
            case "add-node" -> addNode(args);
            case "campaign" -> { node(args[0]).raft.campaign(); yield List.of(); }
            case "tick" -> tick(args);
            case "propose" -> List.of(describe(node(args[0]).raft.propose(ByteString.copyFromUtf8(args[1]))));
            case "conf-change" -> confChange(args);
            case "read-index" -> readIndex(args);
            case "transfer" -> List.of(node(args[0]).raft.transferLeadership(args[1]) ? "transfer started" : "not leader");
            case "process-ready" -> processReady(args);
            case "deliver" -> deliver(args);
            case "stabilize" -> stabilize(args);
            case "partition" -> partition(line.substring(line.indexOf("partition") + "partition".length()));
            case "heal" -> { groups.clear(); yield List.of(); }
            case "drop" -> drop(args);
            case "status" -> status(args);
            case "log" -> log(args);
            case "applied" -> List.of(args[0] + " applied " + node(args[0]).applied);
            case "compact" -> compact(args);
            case "report-snapshot" -> { node(args[0]).raft.reportSnapshot(args[1], args[2].equals("ok")); yield List.of(); }
            case "report-unreachable" -> { node(args[0]).raft.reportUnreachable(args[1]); yield List.of(); }
            case "restart" -> { node(args[0]).restart(); yield List.of(); }
            case "step" -> step(args);
            case "lease" -> List.of(args[0] + " lease " + (node(args[0]).raft.leaseValid() ? "valid" : "invalid"));
            default -> throw new IllegalArgumentException("unknown scenario command: " + w[0]);
        };
    }

    private ScenarioNode node(String id) {
        ScenarioNode n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + " in the scenario");
        }
        return n;
    }

    /** {@code cluster 1 2 3 [learners=4,5] [prevote=false] [checkquorum=false] [lease] [election=N] [inflight=N] [maxmsg=N]} */
    private List<String> cluster(String[] args) {
        List<String> voters = new ArrayList<>();
        List<String> learners = new ArrayList<>();
        RaftConfig c = RaftConfig.defaults("template");
        for (String a : args) {
            if (a.startsWith("learners=")) {
                learners.addAll(List.of(a.substring(9).split(",")));
            } else if (a.equals("prevote=false")) {
                c = c.withPreVote(false);
            } else if (a.equals("checkquorum=false")) {
                c = c.withCheckQuorum(false);
            } else if (a.equals("lease")) {
                c = c.withReadOnly(RaftConfig.ReadOnlyOption.LEASE_BASED);
            } else if (a.startsWith("election=")) {
                int e = Integer.parseInt(a.substring(9));
                c = c.withTicks(e, c.heartbeatTicks(), Math.max(1, e / 2));
            } else if (a.startsWith("inflight=")) {
                c = c.withFlowControl(c.maxSizePerMessage(), Integer.parseInt(a.substring(9)));
            } else if (a.startsWith("maxmsg=")) {
                c = c.withFlowControl(Long.parseLong(a.substring(7)), c.maxInflightMessages());
            } else {
                voters.add(a);
            }
        }
        template = c;
        ConfState founders = ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
        for (String id : voters) {
            create(id, founders);
        }
        for (String id : learners) {
            create(id, founders);
        }
        // Founders persist and apply the founding membership before anything else happens.
        for (String id : nodes.keySet()) {
            node(id).processReady(network);
        }
        return List.of();
    }

    /** {@code add-node 4}: a new server with an empty log and no membership, to be added. */
    private List<String> addNode(String[] args) {
        create(args[0], ConfState.getDefaultInstance());
        return List.of();
    }

    private void create(String id, ConfState founders) {
        RaftConfig c = new RaftConfig(id, template.electionTicks(), template.heartbeatTicks(), template.leaseTicks(),
                template.preVote(), template.checkQuorum(), template.readOnly(), template.maxSizePerMessage(),
                template.maxInflightMessages(), template.maxUncommittedBytes(), template.maxCommittedBytesPerReady());
        nodes.put(id, new ScenarioNode(c, founders));
    }

    /** {@code tick 1 [n]} or {@code tick 2,3 [n]}: n ticks, in lock step when several nodes. */
    private List<String> tick(String[] args) {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int i = 0; i < n; i++) {
            for (String id : args[0].split(",")) {
                node(id).raft.tick();
            }
        }
        return List.of();
    }

    /** {@code conf-change 1 add-voter|add-learner|remove 4} */
    private List<String> confChange(String[] args) {
        ConfChangeType type = switch (args[1]) {
            case "add-voter" -> ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER;
            case "add-learner" -> ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER;
            case "remove" -> ConfChangeType.CONF_CHANGE_TYPE_REMOVE;
            default -> throw new IllegalArgumentException("unknown conf change " + args[1]);
        };
        ConfChange cc = ConfChange.newBuilder().setType(type).setNodeId(args[2]).build();
        return List.of(describe(node(args[0]).raft.proposeConfChange(cc)));
    }

    private List<String> readIndex(String[] args) {
        boolean sent = node(args[0]).raft.readIndex(ByteString.copyFromUtf8(args[1]));
        return List.of(sent ? "read requested" : "no leader known");
    }

    private static String describe(ProposeResult r) {
        return switch (r) {
            case ProposeResult.Accepted a -> "accepted index=" + a.index() + " term=" + a.term();
            case ProposeResult.Rejected x -> "rejected " + x.reason() + " hint=" + (x.leaderHint().isEmpty() ? "-" : x.leaderHint())
                    + ": " + x.detail();
        };
    }

    private List<String> processReady(String[] args) {
        List<String> out = new ArrayList<>();
        for (String id : args.length == 0 ? List.copyOf(nodes.keySet()) : List.of(args)) {
            ScenarioNode n = node(id);
            if (n.raft.hasReady()) {
                out.addAll(n.processReady(network));
            }
        }
        return out;
    }

    /** {@code deliver [to]}: delivers queued messages (to one node, or all) in FIFO order. */
    private List<String> deliver(String[] args) {
        List<String> out = new ArrayList<>();
        List<RaftMessage> batch = new ArrayList<>();
        for (Iterator<RaftMessage> it = network.iterator(); it.hasNext(); ) {
            RaftMessage m = it.next();
            if (args.length == 0 || m.getTo().equals(args[0])) {
                batch.add(m);
                it.remove();
            }
        }
        for (RaftMessage m : batch) {
            if (!nodes.containsKey(m.getTo())) {
                out.add("dropped (no such node) " + Describe.message(m));
            } else if (!groups.getOrDefault(m.getFrom(), 0).equals(groups.getOrDefault(m.getTo(), 0))) {
                out.add("dropped (partition) " + Describe.message(m));
            } else {
                node(m.getTo()).raft.step(m);
            }
        }
        return out;
    }

    /** {@code drop [from->to]}: discards queued messages, all or on one link. */
    private List<String> drop(String[] args) {
        int dropped = 0;
        for (Iterator<RaftMessage> it = network.iterator(); it.hasNext(); ) {
            RaftMessage m = it.next();
            if (args.length == 0 || args[0].equals(m.getFrom() + "->" + m.getTo())) {
                dropped++;
                it.remove();
            }
        }
        return List.of("dropped " + dropped + " messages");
    }

    /** Processes Readies and delivers messages until nothing is left to do. */
    private List<String> stabilize(String[] args) {
        List<String> out = new ArrayList<>();
        for (int round = 0; round < 1000; round++) {
            boolean busy = !network.isEmpty();
            for (String id : args.length == 0 ? List.copyOf(nodes.keySet()) : List.of(args)) {
                busy |= node(id).raft.hasReady();
            }
            if (!busy) {
                return out;
            }
            out.addAll(processReady(args));
            out.addAll(deliver(new String[0]));
        }
        throw new IllegalStateException("cluster did not stabilize in 1000 rounds");
    }

    /** {@code step 1->3 SNAPSHOT term=2 snapshot=8/t2}: hands a crafted message to its receiver. */
    private List<String> step(String[] args) {
        ScenarioNode to = node(args[0].split("->")[1]);
        to.raft.step(MessageParser.parse(args, to.raft.confState()));
        return List.of();
    }

    /** {@code partition 1 | 2 3}: groups that cannot talk to each other. */
    private List<String> partition(String spec) {
        groups.clear();
        String[] parts = spec.split("\\|");
        for (int g = 0; g < parts.length; g++) {
            for (String id : parts[g].trim().split("\\s+")) {
                groups.put(id, g + 1);
            }
        }
        return List.of();
    }

    private List<String> status(String[] args) {
        List<String> out = new ArrayList<>();
        for (String id : args.length == 0 ? List.copyOf(nodes.keySet()) : List.of(args)) {
            RaftStatus s = node(id).raft.status();
            out.add(id + ": " + s.role() + " term=" + s.term() + " vote=" + (s.vote().isEmpty() ? "-" : s.vote())
                    + " lead=" + (s.leader().isEmpty() ? "-" : s.leader()) + " commit=" + s.commit() + " applied=" + s.applied()
                    + " last=" + s.lastIndex() + " " + Describe.conf(s.membership())
                    + (s.leadTransferee().isEmpty() ? "" : " transferring-to=" + s.leadTransferee()));
            s.progress().forEach((peer, p) -> out.add("  " + peer + ": " + p.state() + " match=" + p.match() + " next=" + p.next()
                    + (p.paused() ? " paused" : "") + (p.inflight() > 0 ? " inflight=" + p.inflight() : "")
                    + (p.learner() ? " learner" : "")));
        }
        return out;
    }

    private List<String> log(String[] args) {
        MemoryRaftLog storage = node(args[0]).storage;
        List<RaftEntry> entries = storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Long.MAX_VALUE);
        return List.of(args[0] + " log: snapshot=" + Describe.snapshot(storage.snapshot()) + " entries=" + Describe.entries(entries));
    }

    /** {@code compact 1}: the node snapshots its state machine at its applied index. */
    private List<String> compact(String[] args) {
        ScenarioNode n = node(args[0]);
        long index = n.raft.appliedIndex();
        SnapshotMetadata s = SnapshotMetadata.newBuilder().setIndex(index).setTerm(n.storage.term(index))
                .setConfState(n.raft.confState()).build();
        n.storage.compact(s);
        return List.of(args[0] + " compacted to snapshot " + Describe.snapshot(s));
    }
}
