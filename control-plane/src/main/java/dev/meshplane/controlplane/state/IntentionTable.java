package dev.meshplane.controlplane.state;

import dev.meshplane.proto.v1.Intention;
import java.util.Collection;
import java.util.TreeMap;

/**
 * Intentions, unique per (source, destination). Not thread-safe: {@link StateStore}
 * serializes access.
 */
final class IntentionTable {
    private final Journal journal;
    private final JournaledMap<String, Intention> byPair;
    private long tableIndex;

    IntentionTable(Journal journal) {
        this.journal = journal;
        this.byPair = new JournaledMap<>(new TreeMap<>(), journal);
    }

    /** The key of a pair; NUL cannot occur in a service name. */
    static String key(String source, String destination) {
        return source + '\0' + destination;
    }

    void upsert(long index, Intention given, Changes changes) {
        String key = key(given.getSourceName(), given.getDestinationName());
        Intention old = byPair.get(key);
        long created = old == null ? index : old.getCreateIndex();
        Intention stored = given.toBuilder().setCreateIndex(created).setModifyIndex(index).build();
        if (old != null && old.toBuilder().clearModifyIndex().build()
                .equals(stored.toBuilder().clearModifyIndex().build())) {
            return;
        }
        byPair.put(key, stored);
        setTableIndex(index);
        changes.intentions();
    }

    /** True when there was one to delete. */
    boolean delete(long index, String source, String destination, Changes changes) {
        if (byPair.remove(key(source, destination)) == null) {
            return false;
        }
        setTableIndex(index);
        changes.intentions();
        return true;
    }

    Intention get(String source, String destination) {
        return byPair.get(key(source, destination));
    }

    Collection<Intention> all() {
        return byPair.values();
    }

    long tableIndex() {
        return tableIndex;
    }

    void restore(Intention intention) {
        byPair.put(key(intention.getSourceName(), intention.getDestinationName()), intention);
    }

    void restoreTableIndex(long index) {
        tableIndex = index;
    }

    private void setTableIndex(long index) {
        long old = tableIndex;
        journal.record(() -> tableIndex = old);
        tableIndex = index;
    }
}
