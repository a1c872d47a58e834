package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.internal.v1.CaSetState;
import dev.meshplane.proto.internal.v1.CaState;

/**
 * The cluster's CA: its ID, roots and the active root's private key, replicated like every
 * other table (so a new leader can sign, and snapshots keep it). Replaced as a whole, and only
 * when the active root is still the one the writer saw. Not thread-safe: {@link StateStore}
 * serializes access.
 */
final class CaTable {
    private final Journal journal;
    private CaState state;
    private long tableIndex;

    CaTable(Journal journal) {
        this.journal = journal;
    }

    ApplyResult set(long index, CaSetState set, Changes changes) {
        String current = state == null ? "" : state.getActiveRootId();
        if (!current.equals(set.getExpectedActiveRootId())) {
            return new ApplyResult.Rejected(ApiException.failedPrecondition("the CA changed meanwhile: active root is "
                    + (current.isEmpty() ? "none" : current) + ", expected "
                    + (set.getExpectedActiveRootId().isEmpty() ? "none" : set.getExpectedActiveRootId()) + "; retry"));
        }
        if (state != null && !state.getClusterId().equals(set.getState().getClusterId())) {
            return new ApplyResult.Rejected(ApiException.invalidArgument("cluster_id",
                    "the cluster ID " + state.getClusterId() + " never changes"));
        }
        CaState old = state;
        long oldIndex = tableIndex;
        journal.record(() -> {
            state = old;
            tableIndex = oldIndex;
        });
        state = set.getState();
        tableIndex = index;
        changes.caRoots();
        return ApplyResult.DONE;
    }

    /** Null before the first leader created the CA. */
    CaState state() {
        return state;
    }

    long tableIndex() {
        return tableIndex;
    }

    void restore(CaState restored) {
        state = restored;
    }

    void restoreTableIndex(long index) {
        tableIndex = index;
    }
}
