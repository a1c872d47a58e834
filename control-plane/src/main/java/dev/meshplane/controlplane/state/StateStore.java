package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.internal.v1.RestoreChunk;
import dev.meshplane.proto.internal.v1.RestoreCommit;
import dev.meshplane.proto.v1.Session;
import dev.meshplane.proto.v1.SessionBehavior;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The in-memory state every server applies the replicated log to: catalog, KV, session, CA
 * and intention tables. Commands are applied by one thread in log order; reads run concurrently under a read
 * lock. Applying is deterministic: every server computes the same state and results.
 *
 * <p>Listeners run after each command while the write lock is still held, so that anyone who
 * reads the state and registers interest under the read lock can miss no change: either the
 * read saw the change, or the listener will.
 */
public final class StateStore {
    /** Called after a command changed something, with the write lock held; must not block. */
    public interface ChangeListener {
        void onApplied(long index, Changes changes);
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private Tables tables = new Tables();
    private volatile long lastIndex;
    private volatile long restores;

    /** The three tables and the journal they share; replaced as a whole by a snapshot restore. */
    static final class Tables {
        final Journal journal = new Journal();
        final CatalogTable catalog = new CatalogTable(journal);
        final KvTable kv = new KvTable(journal);
        final SessionTable sessions = new SessionTable(journal);
        /** Chunks of operator restores not yet committed, by restore ID. */
        final Map<String, List<ByteString>> restores = new HashMap<>();
        final CaTable ca = new CaTable(journal);
        final IntentionTable intentions = new IntentionTable(journal);
    }

    /** Staged restore data beyond this is refused (the whole file is held by every server until it commits). */
    static final long MAX_RESTORE_BYTES = 4L << 30;

    public ApplyResult apply(long index, Command command) {
        lock.writeLock().lock();
        try {
            if (index <= lastIndex) {
                throw new IllegalStateException("index " + index + " applied after " + lastIndex);
            }
            Changes changes = new Changes();
            ApplyResult result = switch (command.getOpCase()) {
                case CATALOG_REGISTER -> tables.catalog.register(index, command.getCatalogRegister(), changes);
                case CATALOG_DEREGISTER -> tables.catalog.deregister(index, command.getCatalogDeregister(), changes);
                case KV_PUT -> kvPut(index, command.getKvPut(), changes);
                case KV_DELETE -> kvDelete(index, command.getKvDelete(), changes);
                case SESSION_CREATE -> sessionCreate(index, command.getSessionCreate(), changes);
                case SESSION_DESTROY -> {
                    destroySession(index, command.getSessionDestroy().getId(), changes);
                    yield ApplyResult.DONE;
                }
                case TXN -> {
                    TxnApplier.Outcome outcome = new TxnApplier(tables).apply(index, command.getTxn().getOpsList());
                    changes = outcome.changes();
                    yield outcome.result();
                }
                case RESTORE_CHUNK -> stageRestoreChunk(command.getRestoreChunk());
                // Replaces the state and tells listeners itself; the changes below stay empty.
                case RESTORE_COMMIT -> commitRestore(index, command.getRestoreCommit());
                case REAP_TOMBSTONES -> {
                    tables.kv.reapTombstones(command.getReapTombstones().getUpToIndex());
                    yield ApplyResult.DONE;
                }
                case CA_SET_STATE -> tables.ca.set(index, command.getCaSetState(), changes);
                case INTENTION_UPSERT -> {
                    tables.intentions.upsert(index, command.getIntentionUpsert(), changes);
                    yield ApplyResult.DONE;
                }
                case INTENTION_DELETE -> new ApplyResult.Conditional(tables.intentions.delete(index,
                        command.getIntentionDelete().getSourceName(),
                        command.getIntentionDelete().getDestinationName(), changes));
                case OP_NOT_SET -> new ApplyResult.Rejected(
                        ApiException.invalidArgument("command", "carries no operation"));
            };
            invalidateSessions(index, changes);
            lastIndex = index;
            notifyListeners(index, changes);
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private ApplyResult kvPut(long index, KvPut put, Changes changes) {
        KvTable kv = tables.kv;
        String failure;
        if (!put.getAcquire().isEmpty()) {
            if (tables.sessions.get(put.getAcquire()) == null) {
                return new ApplyResult.Rejected(ApiException.failedPrecondition(
                        "acquire: session " + put.getAcquire() + " does not exist"));
            }
            failure = kv.lock(index, put.getKey(), put.getValue(), put.getFlags(), put.getAcquire(), changes);
        } else if (!put.getRelease().isEmpty()) {
            failure = kv.unlock(index, put.getKey(), put.getValue(), put.getFlags(), put.getRelease(), changes);
        } else if (put.hasCas()) {
            failure = kv.cas(index, put.getKey(), put.getValue(), put.getFlags(), put.getCas(), changes);
        } else {
            kv.set(index, put.getKey(), put.getValue(), put.getFlags(), changes);
            return ApplyResult.DONE;
        }
        return new ApplyResult.Conditional(failure == null);
    }

    private ApplyResult kvDelete(long index, KvDelete delete, Changes changes) {
        if (delete.hasCas()) {
            return new ApplyResult.Conditional(
                    tables.kv.deleteCas(index, delete.getKey(), delete.getCas(), changes) == null);
        }
        if (delete.getRecurse()) {
            tables.kv.deleteTree(index, delete.getKey(), changes);
        } else {
            tables.kv.delete(index, delete.getKey(), changes);
        }
        return ApplyResult.DONE;
    }

    private ApplyResult sessionCreate(long index, Session session, Changes changes) {
        ApiException problem = tables.sessions.create(index, session, tables.catalog, changes);
        return problem == null ? ApplyResult.DONE : new ApplyResult.Rejected(problem);
    }

    /** Sessions whose checks failed or whose node went away are destroyed with their locks. */
    private void invalidateSessions(long index, Changes changes) {
        Set<String> doomed = new LinkedHashSet<>();
        for (Changes.CheckRef check : changes.failedChecks()) {
            doomed.addAll(tables.sessions.dependingOn(check));
        }
        for (String node : changes.removedNodes()) {
            doomed.addAll(tables.sessions.onNode(node));
        }
        for (String id : doomed) {
            destroySession(index, id, changes);
        }
    }

    private void destroySession(long index, String id, Changes changes) {
        Session s = tables.sessions.remove(index, id, changes);
        if (s == null) {
            return;
        }
        Duration delay = Duration.ofSeconds(s.getLockDelay().getSeconds(), s.getLockDelay().getNanos());
        for (String key : tables.kv.keysLockedBy(id)) {
            if (s.getBehavior() == SessionBehavior.SESSION_BEHAVIOR_DELETE) {
                tables.kv.delete(index, key, changes);
            } else {
                tables.kv.releaseLock(index, key, changes);
            }
            if (!delay.isZero()) {
                changes.lockDelay(key, delay);
            }
        }
    }

    private ApplyResult stageRestoreChunk(RestoreChunk chunk) {
        List<ByteString> staged = tables.restores.computeIfAbsent(chunk.getRestoreId(), id -> new ArrayList<>());
        long bytes = staged.stream().mapToLong(ByteString::size).sum() + chunk.getData().size();
        if (chunk.getSeq() != staged.size() || bytes > MAX_RESTORE_BYTES) {
            tables.restores.remove(chunk.getRestoreId());
            return new ApplyResult.Rejected(ApiException.failedPrecondition("restore " + chunk.getRestoreId() + ": "
                    + (bytes > MAX_RESTORE_BYTES ? "more than " + MAX_RESTORE_BYTES + " bytes"
                    : "chunk " + chunk.getSeq() + " arrived when " + staged.size() + " was expected")
                    + "; the restore is abandoned"));
        }
        staged.add(chunk.getData());
        return ApplyResult.DONE;
    }

    /**
     * Swaps in the staged snapshot. Every server reads the same bytes, so every server reaches
     * the same state, or refuses alike. Runs with the write lock held and notifies listeners
     * that everything changed.
     */
    private ApplyResult commitRestore(long index, RestoreCommit commit) {
        List<ByteString> staged = tables.restores.remove(commit.getRestoreId());
        if (staged == null || staged.size() != commit.getChunks()) {
            return new ApplyResult.Rejected(ApiException.failedPrecondition("restore " + commit.getRestoreId()
                    + ": " + (staged == null ? 0 : staged.size()) + " chunks staged, " + commit.getChunks()
                    + " expected"));
        }
        SnapshotReader.Restored restored;
        try {
            restored = SnapshotReader.read(ByteString.copyFrom(staged).newInput());
        } catch (SnapshotReader.SnapshotException e) {
            return new ApplyResult.Rejected(ApiException.invalidArgument("snapshot", e.getMessage()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        tables = restored.tables;
        lastIndex = index;
        restores++;
        notifyListeners(index, Changes.everything());
        return ApplyResult.DONE;
    }

    private void notifyListeners(long index, Changes changes) {
        if (!changes.isEmpty()) {
            for (ChangeListener l : listeners) {
                l.onApplied(index, changes);
            }
        }
    }

    /** Runs {@code reader} under the read lock; it sees one consistent state. */
    public <T> T read(Supplier<T> reader) {
        lock.readLock().lock();
        try {
            return reader.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The tables as of now; only for readers holding the read lock (or the apply thread). */
    Tables tables() {
        return tables;
    }

    /**
     * Replaces the whole state with a restored snapshot, taking effect at log index
     * {@code index}. Every listener is told that everything changed, so watches re-send
     * snapshots and blocking queries answer at once (their index may have gone backwards).
     */
    public void restore(SnapshotReader.Restored restored, long index) {
        lock.writeLock().lock();
        try {
            if (index < lastIndex) {
                throw new IllegalStateException("restore at index " + index + " after " + lastIndex);
            }
            tables = restored.tables;
            lastIndex = index;
            restores++;
            notifyListeners(index, Changes.everything());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** How many times the state has been replaced by a restore; blocking queries compare it. */
    public long restores() {
        return restores;
    }

    /** The index of the last applied command. */
    public long lastIndex() {
        return lastIndex;
    }

    public void addListener(ChangeListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ChangeListener listener) {
        listeners.remove(listener);
    }
}
