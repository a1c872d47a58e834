package dev.meshplane.controlplane.raft.scenario;

import dev.meshplane.controlplane.raft.MemoryRaftLog;
import dev.meshplane.controlplane.raft.RaftConfig;
import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.Ready;
import dev.meshplane.proto.internal.v1.ConfState;
import dev.meshplane.proto.internal.v1.HardState;
import dev.meshplane.proto.internal.v1.RaftEntry;
import dev.meshplane.proto.internal.v1.RaftMessage;
import dev.meshplane.proto.internal.v1.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** One server of a scenario: the core plus what its driver persisted and applied. */
final class ScenarioNode {
    final String id;
    final RaftConfig config;
    final MemoryRaftLog storage;
    HardState hardState = HardState.getDefaultInstance();
    RaftNode raft;
    /** What the state machine holds: "snapshot N" and then applied entries. */
    final List<String> applied = new ArrayList<>();

    /** A founding member when {@code founders} has members, else a server to be added later. */
    ScenarioNode(RaftConfig config, ConfState founders) {
        this.id = config.id();
        this.config = config;
        this.storage = new MemoryRaftLog();
        RandomGenerator random = random();
        raft = founders.getVotersCount() > 0 ? RaftNode.found(config, storage, founders, random)
                : new RaftNode(config, storage, hardState, random);
    }

    /**
     * Scenarios want predictable elections, so the "random" election timeout is always the
     * longest, 2 * electionTicks - 1: a follower out of touch campaigns after exactly that many
     * ticks, and scenarios start elections with {@code campaign} where they need a given winner.
     */
    private static RandomGenerator random() {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return Long.MAX_VALUE;
            }

            @Override
            public int nextInt(int bound) {
                return bound - 1;
            }
        };
    }

    /** Loses everything not persisted; the state machine restarts from the snapshot. */
    void restart() {
        applied.clear();
        if (storage.snapshot().getIndex() > 0) {
            applied.add("snapshot " + storage.snapshot().getIndex());
        }
        raft = new RaftNode(config, storage, hardState, random());
    }

    /** Handles one Ready as a driver must; returns its transcript and queues its messages. */
    List<String> processReady(List<RaftMessage> network) {
        Ready rd = raft.ready();
        List<String> out = new ArrayList<>();
        StringBuilder head = new StringBuilder(id + " ready:");
        head.append(' ').append(rd.softState().role()).append(" lead=").append(rd.softState().leader().isEmpty() ? "-" : rd.softState().leader());
        rd.hardState().ifPresent(h -> head.append(" hard=(term=").append(h.getTerm()).append(" vote=")
                .append(h.getVote().isEmpty() ? "-" : h.getVote()).append(" commit=").append(h.getCommit()).append(')'));
        if (rd.mustSync()) {
            head.append(" sync");
        }
        out.add(head.toString());
        if (rd.snapshot().isPresent()) {
            SnapshotMetadata s = rd.snapshot().get();
            storage.applySnapshot(s);
            applied.clear();
            applied.add("snapshot " + s.getIndex());
            out.add("  install snapshot " + Describe.snapshot(s));
        }
        if (!rd.entries().isEmpty()) {
            storage.append(rd.entries());
            out.add("  persist " + Describe.entries(rd.entries()));
        }
        rd.hardState().ifPresent(h -> hardState = h);
        for (RaftMessage m : rd.messages()) {
            out.add("  send " + Describe.message(m));
            network.add(m);
        }
        for (RaftEntry e : rd.committedEntries()) {
            applied.add(Describe.entry(e));
            out.add("  apply " + Describe.entry(e));
        }
        rd.readStates().forEach(s -> out.add("  read-state index=" + s.index() + " ctx=" + s.context().toStringUtf8()));
        raft.advance(rd);
        return out;
    }
}
