package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.controlplane.raft.RaftNode;
import dev.meshplane.controlplane.raft.RaftRole;
import dev.meshplane.proto.internal.v1.RaftEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft's safety properties, checked as the simulation goes:
 * <ul>
 *   <li>election safety: at most one leader per term;</li>
 *   <li>log matching: entries with the same index and term are identical, and so are the
 *       entries before them (checked per persisted entry: (index, term) fixes the data and the
 *       previous entry's term, which by induction fixes the whole prefix);</li>
 *   <li>leader completeness: a new leader's log holds every entry already applied anywhere;</li>
 *   <li>state-machine safety: no two servers apply different entries at one index, and their
 *       states agree at every index (including states installed from snapshots).</li>
 * </ul>
 * A violation throws {@link SafetyViolation}.
 */
final class Invariants {
    static final class SafetyViolation extends RuntimeException {
        SafetyViolation(String message) {
            super(message);
        }
    }

    private record Fingerprint(int dataHash, long prevTerm, String firstSeenOn) {}

    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private final Map<String, Long> lastLeaderTermSeen = new HashMap<>();
    private final Map<String, Fingerprint> persisted = new HashMap<>();
    /** index -> (term, data hash) of the entry applied there: these are all committed. */
    private final TreeMap<Long, long[]> applied = new TreeMap<>();
    private final Map<Long, Long> stateDigest = new HashMap<>();
    long leadersElected;

    /** A server persisted {@code entries}, the first following an entry of term {@code prevTerm}. */
    void onPersist(String node, List<RaftEntry> entries, long prevTerm) {
        long prev = prevTerm;
        for (RaftEntry e : entries) {
            String key = e.getIndex() + "/" + e.getTerm();
            Fingerprint f = new Fingerprint(e.getData().hashCode() * 31 + e.getType().getNumber(), prev, node);
            Fingerprint known = persisted.putIfAbsent(key, f);
            if (known != null && (known.dataHash() != f.dataHash() || known.prevTerm() != f.prevTerm())) {
                throw new SafetyViolation("log matching: entry " + key + " on " + node + " (prev term " + prev
                        + ") differs from the one on " + known.firstSeenOn() + " (prev term " + known.prevTerm() + ")");
            }
            prev = e.getTerm();
        }
    }

    /** A server applied {@code e}, reaching state {@code digest}. */
    void onApply(String node, RaftEntry e, long digest) {
        long[] mine = {e.getTerm(), e.getData().hashCode()};
        long[] known = applied.putIfAbsent(e.getIndex(), mine);
        if (known != null && (known[0] != mine[0] || known[1] != mine[1])) {
            throw new SafetyViolation("state-machine safety: " + node + " applied " + e.getIndex() + "/t" + e.getTerm()
                    + " but another server applied " + e.getIndex() + "/t" + known[0] + " there");
        }
        checkDigest(node, e.getIndex(), digest);
    }

    /** A server installed a snapshot at {@code index} whose state is {@code digest}. */
    void onSnapshotInstalled(String node, long index, long digest) {
        checkDigest(node, index, digest);
    }

    private void checkDigest(String node, long index, long digest) {
        Long known = stateDigest.putIfAbsent(index, digest);
        if (known != null && known != digest) {
            throw new SafetyViolation("state-machine safety: " + node + "'s state at index " + index
                    + " differs from another server's state there");
        }
    }

    /** Checks the leaders among the live servers; call after every step. */
    void onStep(Iterable<SimNode> servers) {
        for (SimNode s : servers) {
            if (!s.up() || s.raft.role() != RaftRole.LEADER) {
                continue;
            }
            RaftNode n = s.raft;
            String other = leaderOfTerm.putIfAbsent(n.term(), s.id);
            if (other != null && !other.equals(s.id)) {
                throw new SafetyViolation("election safety: " + other + " and " + s.id + " both lead term " + n.term());
            }
            Long seen = lastLeaderTermSeen.get(s.id);
            if (seen == null || seen != n.term()) {
                lastLeaderTermSeen.put(s.id, n.term());
                leadersElected++;
                checkCompleteness(s.id, n);
            }
        }
    }

    private void checkCompleteness(String id, RaftNode leader) {
        for (Map.Entry<Long, long[]> a : applied.entrySet()) {
            long index = a.getKey();
            long term = leader.logTerm(index);
            if (term == -1 && index < leader.lastIndex()) {
                continue; // compacted into the leader's snapshot, which covers it
            }
            if (term != a.getValue()[0]) {
                throw new SafetyViolation("leader completeness: new leader " + id + " of term " + leader.term()
                        + " has " + (term == -1 ? "no entry" : "term " + term) + " at index " + index
                        + ", where " + index + "/t" + a.getValue()[0] + " was committed");
            }
        }
    }

    /** Term of the entry applied at {@code index} anywhere (so committed), or null if none yet. */
    Long appliedTerm(long index) {
        long[] a = applied.get(index);
        return a == null ? null : a[0];
    }

    long highestApplied() {
        return applied.isEmpty() ? 0 : applied.lastKey();
    }
}
