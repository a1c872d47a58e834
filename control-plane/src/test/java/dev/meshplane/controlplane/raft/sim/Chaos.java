package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.controlplane.raft.ProposeResult;
import dev.meshplane.proto.internal.v1.ConfChange;
import dev.meshplane.proto.internal.v1.ConfChangeType;
import dev.meshplane.proto.internal.v1.ConfState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The faults and the operator of a run: partitions, crashes and restarts, membership changes
 * (add a learner, promote it, remove a voter, retire removed servers), leadership transfers;
 * then, once faults stop, the liveness probe.
 */
final class Chaos {
    private record PendingRemoval(String node, long index, long term) {}

    private final Simulation sim;
    private final RandomGenerator random;
    private final SimOptions options;
    private final Map<String, Long> restartAt = new TreeMap<>();
    private final List<PendingRemoval> removals = new ArrayList<>();
    private final Map<String, Long> counts = new HashMap<>();
    private int nextNodeNumber;
    private ProposeResult.Accepted probe;
    /** When the current partition ends on its own. */
    private long healAt = Long.MAX_VALUE;
    private long lastProbeAttempt = -1;

    Chaos(Simulation sim, RandomGenerator random, SimOptions options) {
        this.sim = sim;
        this.random = random;
        this.options = options;
        this.nextNodeNumber = options.voters() + 1;
    }

    void maybeInjectFault(long now) {
        if (now >= healAt) {
            sim.network.heal();
            healAt = Long.MAX_VALUE;
            sim.trace.add("network healed");
        }
        if (random.nextDouble() < options.partitionRate()) {
            partition();
            healAt = now + 50 + random.nextInt(100 * SimOptions.STEPS_PER_TICK);
        }
        if (random.nextDouble() < options.crashRate()) {
            crashOne(now);
        }
    }

    private void partition() {
        List<String> ids = sim.nodes.values().stream().filter(n -> !n.retired).map(n -> n.id).toList();
        if (random.nextBoolean()) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (String id : ids) {
                (random.nextBoolean() ? a : b).add(id);
            }
            sim.network.partition(a, b);
            count("partitions");
            sim.trace.add("partition " + a + " | " + b);
        } else {
            // One-way faults: a server that can send but not receive, or receive but not send.
            sim.network.heal();
            String x = ids.get(random.nextInt(ids.size()));
            boolean outbound = random.nextBoolean();
            for (String y : ids) {
                if (!y.equals(x) && random.nextInt(3) != 0) {
                    if (outbound) {
                        sim.network.blockOneWay(x, y);
                    } else {
                        sim.network.blockOneWay(y, x);
                    }
                }
            }
            count("asymmetricPartitions");
            sim.trace.add("one-way partition: " + sim.network.describePartition());
        }
    }

    private void crashOne(long now) {
        List<SimNode> live = sim.nodes.values().stream().filter(SimNode::up).toList();
        if (live.isEmpty()) {
            return;
        }
        // Leaders are the interesting victims; prefer them half of the time.
        SimNode leader = sim.leader();
        SimNode victim = leader != null && random.nextBoolean() ? leader : live.get(random.nextInt(live.size()));
        victim.crash();
        count("crashes");
        restartAt.put(victim.id, now + downtime());
    }

    /** Restarts servers whose downtime is over; schedules one for servers that crashed on their own. */
    void restartDue(long now) {
        for (SimNode n : sim.nodes.values()) {
            if (!n.up() && !n.retired && !restartAt.containsKey(n.id) && now < options.chaosSteps()) {
                restartAt.put(n.id, now + downtime());
            }
        }
        restartAt.entrySet().removeIf(e -> {
            SimNode n = sim.nodes.get(e.getKey());
            if (e.getValue() > now) {
                return false;
            }
            if (!n.retired && !n.up()) {
                n.restart(now);
            }
            return true;
        });
    }

    private long downtime() {
        return 20 + random.nextInt(100 * SimOptions.STEPS_PER_TICK);
    }

    /** Membership changes and leadership transfers, as an operator would make them. */
    void operate(long now) {
        if (now >= options.chaosSteps()) {
            return;
        }
        if (random.nextDouble() < options.confChangeRate()) {
            changeMembership();
        }
        if (random.nextDouble() < options.transferRate()) {
            SimNode leader = sim.leader();
            if (leader != null) {
                List<String> voters = leader.raft.confState().getVotersList();
                String target = voters.get(random.nextInt(voters.size()));
                leader.raft.transferLeadership(target);
                count("transfers");
                sim.trace.add(leader.id + " transfers leadership to " + target);
            }
        }
    }

    private void changeMembership() {
        SimNode leader = sim.leader();
        if (leader == null) {
            return;
        }
        ConfState conf = leader.raft.confState();
        ConfChange.Builder change = ConfChange.newBuilder();
        if (conf.getLearnersCount() > 0) {
            change.setType(ConfChangeType.CONF_CHANGE_TYPE_ADD_VOTER).setNodeId(conf.getLearners(0));
        } else if (conf.getVotersCount() > options.voters()) {
            change.setType(ConfChangeType.CONF_CHANGE_TYPE_REMOVE)
                    .setNodeId(conf.getVoters(random.nextInt(conf.getVotersCount())));
        } else {
            // A new server always gets a new ID: reusing the ID of a removed server whose disk
            // was wiped could let it vote twice in one term.
            String id = "n" + nextNodeNumber++;
            sim.addNode(id, ConfState.getDefaultInstance());
            change.setType(ConfChangeType.CONF_CHANGE_TYPE_ADD_LEARNER).setNodeId(id);
        }
        ProposeResult r = leader.raft.proposeConfChange(change.build());
        sim.trace.add(leader.id + " proposes " + change.getType() + " " + change.getNodeId() + ": " + r);
        if (r instanceof ProposeResult.Accepted a) {
            count("confChanges");
            if (change.getType() == ConfChangeType.CONF_CHANGE_TYPE_REMOVE) {
                removals.add(new PendingRemoval(change.getNodeId(), a.index(), a.term()));
            }
        }
    }

    /** Shuts down servers whose removal has been committed, as an operator would. */
    void retireRemoved() {
        removals.removeIf(p -> {
            Long term = sim.invariants.appliedTerm(p.index());
            if (term == null) {
                return false;
            }
            if (term == p.term()) {
                SimNode n = sim.nodes.get(p.node());
                if (n.up()) {
                    n.crash();
                }
                n.retired = true;
                restartAt.remove(p.node());
                count("retired");
                sim.trace.add(p.node() + " retired after its removal at " + p.index());
            }
            return true;
        });
    }

    /** The faults stop: the network heals and calms, every crashed server restarts. */
    void stop(long now) {
        sim.network.calmDown();
        for (SimNode n : sim.nodes.values()) {
            n.calm = true;
            if (!n.retired && !n.up()) {
                n.restart(now);
            }
        }
        restartAt.clear();
        sim.trace.add("faults stop");
    }

    /** Whether a probe write, proposed after the faults stopped, is applied on every live member. */
    boolean livenessSatisfied(long now) {
        if (probe != null) {
            Long term = sim.invariants.appliedTerm(probe.index());
            if (term != null && term != probe.term()) {
                probe = null; // lost to a change of leader: try again
            }
        }
        if (probe == null) {
            SimNode leader = sim.leader();
            if (leader != null && now - lastProbeAttempt >= SimOptions.STEPS_PER_TICK) {
                lastProbeAttempt = now;
                probe = sim.proposeProbe(leader);
            }
            return false;
        }
        SimNode leader = sim.leader();
        if (leader == null) {
            return false;
        }
        ConfState conf = leader.raft.confState();
        List<String> members = new ArrayList<>(conf.getVotersList());
        members.addAll(conf.getLearnersList());
        for (String id : members) {
            SimNode n = sim.nodes.get(id);
            if (n != null && !n.retired && (!n.up() || n.applied() < probe.index())) {
                return false;
            }
        }
        return true;
    }

    private void count(String what) {
        counts.merge(what, 1L, Long::sum);
    }

    void addStats(Map<String, Long> stats) {
        new TreeMap<>(counts).forEach(stats::put);
    }
}
