package dev.meshplane.controlplane.state;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.Function;

/**
 * A map whose puts and removes are undone when the enclosing transaction rolls back. Readers
 * get unmodifiable views, so every mutation goes through here.
 */
final class JournaledMap<K, V> {
    private final Map<K, V> map;
    private final Journal journal;

    JournaledMap(Map<K, V> map, Journal journal) {
        this.map = map;
        this.journal = journal;
    }

    V get(K key) {
        return map.get(key);
    }

    boolean containsKey(K key) {
        return map.containsKey(key);
    }

    V put(K key, V value) {
        boolean had = map.containsKey(key);
        V old = map.put(key, value);
        journal.record(() -> restore(key, had, old));
        return old;
    }

    V remove(K key) {
        if (!map.containsKey(key)) {
            return null;
        }
        V old = map.remove(key);
        journal.record(() -> map.put(key, old));
        return old;
    }

    V computeIfAbsent(K key, Function<K, V> create) {
        V v = map.get(key);
        if (v == null) {
            v = create.apply(key);
            put(key, v);
        }
        return v;
    }

    private void restore(K key, boolean had, V old) {
        if (had) {
            map.put(key, old);
        } else {
            map.remove(key);
        }
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    int size() {
        return map.size();
    }

    Set<K> keySet() {
        return Collections.unmodifiableSet(map.keySet());
    }

    Collection<V> values() {
        return Collections.unmodifiableCollection(map.values());
    }

    Set<Map.Entry<K, V>> entrySet() {
        return Collections.unmodifiableSet(map.entrySet());
    }

    /** The backing map as a sorted view; only for maps created over a NavigableMap. */
    NavigableMap<K, V> sorted() {
        return Collections.unmodifiableNavigableMap((NavigableMap<K, V>) map);
    }
}
