package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;

/**
 * What applying a command produced. The state machine is deterministic, so every server
 * computes the same result; the one that accepted the proposal hands it to the client.
 */
public sealed interface ApplyResult {
    /** The command took effect (or was a no-op because nothing differed). */
    record Done() implements ApplyResult {}

    /** A conditional write: whether its condition held and it took effect. */
    record Conditional(boolean applied) implements ApplyResult {}

    /**
     * A transaction: applied with the results of its operations, or rolled back with the
     * errors (position and reason) that stopped it.
     */
    record Txn(boolean applied, java.util.List<dev.meshplane.proto.v1.TxnResult> results,
               java.util.List<dev.meshplane.proto.v1.TxnError> errors) implements ApplyResult {}

    /** The command was refused as a whole; nothing changed. */
    record Rejected(ApiException reason) implements ApplyResult {}

    ApplyResult DONE = new Done();
}
