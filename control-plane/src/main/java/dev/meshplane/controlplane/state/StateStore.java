package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.internal.v1.Command;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The in-memory state every server applies the replicated log to: catalog and KV tables.
 * Commands are applied by one thread in log order; reads run concurrently under a read lock.
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
    final CatalogTable catalog = new CatalogTable();
    final KvTable kv = new KvTable();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastIndex;

    public ApplyResult apply(long index, Command command) {
        lock.writeLock().lock();
        try {
            if (index <= lastIndex) {
                throw new IllegalStateException("index " + index + " applied after " + lastIndex);
            }
            Changes changes = new Changes();
            ApplyResult result = switch (command.getOpCase()) {
                case CATALOG_REGISTER -> catalog.register(index, command.getCatalogRegister(), changes);
                case CATALOG_DEREGISTER -> catalog.deregister(index, command.getCatalogDeregister(), changes);
                case KV_PUT -> kv.put(index, command.getKvPut(), changes);
                case KV_DELETE -> kv.delete(index, command.getKvDelete(), changes);
                case OP_NOT_SET -> new ApplyResult.Rejected(
                        ApiException.invalidArgument("command", "carries no operation"));
            };
            lastIndex = index;
            if (!changes.isEmpty()) {
                for (ChangeListener l : listeners) {
                    l.onApplied(index, changes);
                }
            }
            return result;
        } finally {
            lock.writeLock().unlock();
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
