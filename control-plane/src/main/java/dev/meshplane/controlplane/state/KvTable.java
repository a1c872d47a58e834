package dev.meshplane.controlplane.state;

import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.v1.KvEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The key/value table. Deleted keys leave a tombstone carrying the delete's index, so a
 * prefix's index never goes backwards when its newest key is deleted and a blocking query
 * on the prefix wakes on deletes. Not thread-safe: {@link StateStore} serializes access.
 */
final class KvTable {
    private final TreeMap<String, KvEntry> entries = new TreeMap<>();
    private final TreeMap<String, Long> tombstones = new TreeMap<>();
    private long tableIndex;

    ApplyResult put(long index, KvPut put, Changes changes) {
        KvEntry existing = entries.get(put.getKey());
        if (put.hasCas()) {
            boolean matches = put.getCas() == 0 ? existing == null
                    : existing != null && existing.getModifyIndex() == put.getCas();
            if (!matches) {
                return new ApplyResult.Conditional(false);
            }
        }
        KvEntry.Builder b = existing == null
                ? KvEntry.newBuilder().setKey(put.getKey()).setCreateIndex(index)
                : existing.toBuilder();
        entries.put(put.getKey(), b.setValue(put.getValue()).setFlags(put.getFlags()).setModifyIndex(index).build());
        tombstones.remove(put.getKey());
        tableIndex = index;
        changes.kvKey(put.getKey());
        return put.hasCas() ? new ApplyResult.Conditional(true) : ApplyResult.DONE;
    }

    ApplyResult delete(long index, KvDelete delete, Changes changes) {
        if (delete.hasCas()) {
            KvEntry existing = entries.get(delete.getKey());
            if (existing == null || delete.getCas() == 0 || existing.getModifyIndex() != delete.getCas()) {
                return new ApplyResult.Conditional(false);
            }
        }
        List<String> doomed = new ArrayList<>();
        if (delete.getRecurse()) {
            for (String key : withPrefix(entries, delete.getKey()).keySet()) {
                doomed.add(key);
            }
        } else if (entries.containsKey(delete.getKey())) {
            doomed.add(delete.getKey());
        }
        for (String key : doomed) {
            entries.remove(key);
            tombstones.put(key, index);
            changes.kvKey(key);
        }
        if (!doomed.isEmpty()) {
            tableIndex = index;
        }
        return delete.hasCas() ? new ApplyResult.Conditional(true) : ApplyResult.DONE;
    }

    KvEntry get(String key) {
        return entries.get(key);
    }

    /** Entries whose key starts with the prefix, in key order. */
    NavigableMap<String, KvEntry> prefix(String prefix) {
        return withPrefix(entries, prefix);
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
        for (KvEntry e : withPrefix(entries, prefix).values()) {
            max = Math.max(max, e.getModifyIndex());
        }
        for (long t : withPrefix(tombstones, prefix).values()) {
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

    private static <V> NavigableMap<String, V> withPrefix(TreeMap<String, V> map, String prefix) {
        if (prefix.isEmpty()) {
            return map;
        }
        String end = successor(prefix);
        return end == null ? map.tailMap(prefix, true) : map.subMap(prefix, true, end, false);
    }

    /** The smallest string greater than every string starting with {@code prefix}, or null if none exists. */
    private static String successor(String prefix) {
        char[] chars = prefix.toCharArray();
        for (int i = chars.length - 1; i >= 0; i--) {
            if (chars[i] != Character.MAX_VALUE) {
                chars[i]++;
                return new String(chars, 0, i + 1);
            }
        }
        return null;
    }

}
