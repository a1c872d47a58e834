package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.internal.v1.AgentState;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Writes the agent's state before a change is acknowledged. Callers that arrive while a write
 * is under way share the next one (group commit): each waits only until a write that started
 * after its change has been fsynced. Without a data dir (-dev) it does nothing.
 */
final class Persister {
    private static final Logger LOG = Logger.getLogger(Persister.class.getName());

    private final StateFile file;
    private final Supplier<AgentState> snapshot;
    private final Object writeLock = new Object();
    private long requested;
    private long written;

    /** @param file null to keep everything in memory */
    Persister(StateFile file, Supplier<AgentState> snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    boolean durable() {
        return file != null;
    }

    /** Returns once the current state is on disk; UNAVAILABLE naming the file if it cannot be written. */
    void persist() {
        if (file == null) {
            return;
        }
        long mine;
        synchronized (this) {
            mine = ++requested;
        }
        synchronized (writeLock) {
            long upTo;
            synchronized (this) {
                if (written >= mine) {
                    return;
                }
                upTo = requested;
            }
            try {
                file.save(snapshot.get());
            } catch (IOException e) {
                LOG.severe("cannot write " + file.path() + ": " + e);
                throw ApiException.unavailable("the agent cannot persist its state to " + file.path() + ": "
                        + e.getMessage());
            }
            synchronized (this) {
                written = upTo;
            }
        }
    }
}
