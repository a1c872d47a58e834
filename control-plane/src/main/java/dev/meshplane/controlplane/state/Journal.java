package dev.meshplane.controlplane.state;

import java.util.ArrayDeque;

/**
 * Undo records for the mutations of one transaction: a transaction that fails part-way is
 * rolled back by running them in reverse. Outside a transaction nothing is recorded.
 */
final class Journal {
    private final ArrayDeque<Runnable> undo = new ArrayDeque<>();
    private boolean active;

    void begin() {
        if (active) {
            throw new IllegalStateException("transactions do not nest");
        }
        active = true;
    }

    void record(Runnable undoAction) {
        if (active) {
            undo.push(undoAction);
        }
    }

    void commit() {
        undo.clear();
        active = false;
    }

    void rollback() {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
        active = false;
    }
}
