package dev.meshplane.controlplane.state;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.KvEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The key/value table. Deleted keys leave a tombstone carrying the delete's index, so a
 * prefix's index never goes backwards when its newest key is deleted and a blocking query on
 * the prefix wakes on deletes. Every mutation is journaled so a transaction can be undone.
 * Not thread-safe: {@link StateStore} serializes access.
 *
 * <p>Operations that can fail return null on success and otherwise the reason, phrased for a
 * transaction's error list.
 */
final class KvTable {
    private final Journal journal;
    private final JournaledMap<String, KvEntry> entries;
    private final JournaledMap<String, Long> tombstones;
    /** "session \0 key" for every held lock, so a session's locks are a prefix scan. */
    private final JournaledMap<String, Boolean> locks;
    private long tableIndex;

    KvTable(Journal journal) {
        this.journal = journal;
        this.entries = new JournaledMap<>(new TreeMap<>(), journal);
        this.tombstones = new JournaledMap<>(new TreeMap<>(), journal);
        this.locks = new JournaledMap<>(new TreeMap<>(), journal);
    }

    // ---- writes ----

    void set(long index, String key, ByteString value, long flags, Changes changes) {
        KvEntry existing = entries.get(key);
        KvEntry.Builder b = existing == null
                ? KvEntry.newBuilder().setKey(key).setCreateIndex(index)
                : existing.toBuilder();
        write(index, b.setValue(value).setFlags(flags).setModifyIndex(index).build(), changes);
    }

    /** Writes only if the modify index matches; 0 means "only if absent". */
    String cas(long index, String key, ByteString value, long flags, long expected, Changes changes) {
        String mismatch = checkIndex(key, expected);
        if (mismatch != null) {
            return mismatch;
        }
        set(index, key, value, flags, changes);
        return null;
    }

    /** Takes the lock for a session known to exist; re-taking one's own lock just writes. */
    String lock(long index, String key, ByteString value, long flags, String session, Changes changes) {
        KvEntry existing = entries.get(key);
        if (existing != null && !existing.getSession().isEmpty()) {
            if (!existing.getSession().equals(session)) {
                return "key \"" + key + "\" is locked by session " + existing.getSession();
            }
            write(index, existing.toBuilder().setValue(value).setFlags(flags).setModifyIndex(index).build(), changes);
            return null;
        }
        KvEntry.Builder b = existing == null
                ? KvEntry.newBuilder().setKey(key).setCreateIndex(index)
                : existing.toBuilder();
        write(index, b.setValue(value).setFlags(flags).setModifyIndex(index).setSession(session)
                .setLockIndex(b.getLockIndex() + 1).build(), changes);
        locks.put(lockKey(session, key), Boolean.TRUE);
        return null;
    }

    String unlock(long index, String key, ByteString value, long flags, String session, Changes changes) {
        KvEntry existing = entries.get(key);
        if (existing == null || !existing.getSession().equals(session)) {
            return "key \"" + key + "\" is not locked by session " + session;
        }
        write(index, existing.toBuilder().setValue(value).setFlags(flags).setModifyIndex(index).clearSession().build(),
                changes);
        locks.remove(lockKey(session, key));
        return null;
    }

    /** A lost lock: the session is gone, the value stays. */
    void releaseLock(long index, String key, Changes changes) {
        KvEntry existing = entries.get(key);
        if (existing == null || existing.getSession().isEmpty()) {
            return;
        }
        locks.remove(lockKey(existing.getSession(), key));
        write(index, existing.toBuilder().clearSession().setModifyIndex(index).build(), changes);
    }

    void delete(long index, String key, Changes changes) {
        KvEntry removed = entries.remove(key);
        if (removed == null) {
            return;
        }
        if (!removed.getSession().isEmpty()) {
            locks.remove(lockKey(removed.getSession(), key));
        }
        tombstones.put(key, index);
        setTableIndex(index);
        changes.kvKey(key);
        changes.tombstoned();
    }

    void deleteTree(long index, String prefix, Changes changes) {
        for (String key : new ArrayList<>(prefix(prefix).keySet())) {
            delete(index, key, changes);
        }
    }

    /** Forgets tombstones at or below the index; returns how many. */
    int reapTombstones(long upTo) {
        int reaped = 0;
        for (var e : List.copyOf(tombstones.entrySet())) {
            if (e.getValue() <= upTo) {
                tombstones.remove(e.getKey());
                reaped++;
            }
        }
        return reaped;
    }

    /** Deletes only if the key exists with this modify index (0 never matches, as in Consul). */
    String deleteCas(long index, String key, long expected, Changes changes) {
        KvEntry existing = entries.get(key);
        if (existing == null || expected == 0 || existing.getModifyIndex() != expected) {
            return "key \"" + key + "\" " + (existing == null ? "does not exist"
                    : "has modify index " + existing.getModifyIndex() + ", not " + expected);
        }
        delete(index, key, changes);
        return null;
    }

    private void write(long index, KvEntry entry, Changes changes) {
        entries.put(entry.getKey(), entry);
        tombstones.remove(entry.getKey());
        setTableIndex(index);
        changes.kvKey(entry.getKey());
    }

    private void setTableIndex(long index) {
        long old = tableIndex;
        journal.record(() -> tableIndex = old);
        tableIndex = index;
    }

    private static String lockKey(String session, String key) {
        return session + '\u0000' + key;
    }

    // ---- conditions (also the txn check verbs) ----

    /** Null when the key's modify index equals {@code expected} (0: the key is absent). */
    String checkIndex(String key, long expected) {
        KvEntry existing = entries.get(key);
        if (expected == 0) {
            return existing == null ? null : "key \"" + key + "\" exists";
        }
        if (existing == null) {
            return "key \"" + key + "\" does not exist";
        }
        return existing.getModifyIndex() == expected ? null
                : "key \"" + key + "\" has modify index " + existing.getModifyIndex() + ", not " + expected;
    }

    String checkSession(String key, String session) {
        KvEntry existing = entries.get(key);
        if (existing == null) {
            return "key \"" + key + "\" does not exist";
        }
        return existing.getSession().equals(session) ? null
                : "key \"" + key + "\" is not locked by session " + (session.isEmpty() ? "(none)" : session);
    }

    // ---- snapshot restore ----

    void restoreEntry(KvEntry entry) {
        entries.put(entry.getKey(), entry);
        if (!entry.getSession().isEmpty()) {
            locks.put(lockKey(entry.getSession(), entry.getKey()), Boolean.TRUE);
        }
    }

    void restoreTombstone(String key, long index) {
        tombstones.put(key, index);
    }

    void restoreTableIndex(long index) {
        tableIndex = index;
    }

    NavigableMap<String, Long> tombstones() {
        return tombstones.sorted();
    }

    // ---- reads ----

    KvEntry get(String key) {
        return entries.get(key);
    }

    /** Entries whose key starts with the prefix, in key order. */
    NavigableMap<String, KvEntry> prefix(String prefix) {
        return KeyRanges.withPrefix(entries.sorted(), prefix);
    }

    /** Keys locked by a session. */
    List<String> keysLockedBy(String session) {
        String p = session + '\u0000';
        List<String> keys = new ArrayList<>();
        for (String k : KeyRanges.withPrefix(locks.sorted(), p).keySet()) {
            keys.add(k.substring(p.length()));
        }
        return keys;
    }

    /** The index a read of one key reflects. */
    long keyIndex(String key) {
        KvEntry e = entries.get(key);
        if (e != null) {
            return e.getModifyIndex();
        }
        Long tomb = tombstones.get(key);
        return tomb != null ? tomb : tableIndex;
    }

    /** The index a read of a prefix reflects: its newest entry or tombstone, else the table's. */
    long prefixIndex(String prefix) {
        long max = 0;
        for (KvEntry e : prefix(prefix).values()) {
            max = Math.max(max, e.getModifyIndex());
        }
        for (long t : KeyRanges.withPrefix(tombstones.sorted(), prefix).values()) {
            max = Math.max(max, t);
        }
        return max == 0 ? tableIndex : max;
    }

    long tableIndex() {
        return tableIndex;
    }

    int size() {
        return entries.size();
    }

    int tombstoneCount() {
        return tombstones.size();
    }
}
