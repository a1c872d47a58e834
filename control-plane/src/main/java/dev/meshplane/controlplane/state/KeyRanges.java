package dev.meshplane.controlplane.state;

import java.util.NavigableMap;

/** Prefix ranges over string-keyed sorted maps. */
final class KeyRanges {
    private KeyRanges() {}

    static <V> NavigableMap<String, V> withPrefix(NavigableMap<String, V> map, String prefix) {
        if (prefix.isEmpty()) {
            return map;
        }
        String end = successor(prefix);
        return end == null ? map.tailMap(prefix, true) : map.subMap(prefix, true, end, false);
    }

    /** The smallest string greater than every string starting with {@code prefix}, or null if none exists. */
    static String successor(String prefix) {
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
