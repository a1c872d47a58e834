package dev.meshplane.controlplane.raft.sim;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The simulation's replicated state machine: a map of string keys to string values, changed by
 * PUT and CAS commands carried in log entries. Commands are text: {@code opId|PUT|key|value} or
 * {@code opId|CAS|key|expected|value}, where an absent expected value is written as "-".
 */
final class KvStore {
    private final TreeMap<String, String> data = new TreeMap<>();

    record Command(long opId, Operation.Kind kind, String key, String value, String expected) {
        ByteString encode() {
            String text = kind == Operation.Kind.PUT
                    ? opId + "|PUT|" + key + "|" + value
                    : opId + "|CAS|" + key + "|" + (expected == null ? "-" : expected) + "|" + value;
            return ByteString.copyFromUtf8(text);
        }

        static Command decode(ByteString bytes) {
            String[] p = bytes.toStringUtf8().split("\\|");
            long opId = Long.parseLong(p[0]);
            return p[1].equals("PUT")
                    ? new Command(opId, Operation.Kind.PUT, p[2], p[3], null)
                    : new Command(opId, Operation.Kind.CAS, p[2], p[4], p[3].equals("-") ? null : p[3]);
        }
    }

    /** Applies a command; returns what the client is told ("ok", "true" or "false"). */
    String apply(Command c) {
        if (c.kind() == Operation.Kind.PUT) {
            data.put(c.key(), c.value());
            return "ok";
        }
        if (!Objects.equals(data.get(c.key()), c.expected())) {
            return "false";
        }
        data.put(c.key(), c.value());
        return "true";
    }

    String get(String key) {
        String v = data.get(key);
        return v == null ? Operation.ABSENT : v;
    }

    byte[] snapshot() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : data.entrySet()) {
            b.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static KvStore restore(byte[] snapshot) {
        KvStore kv = new KvStore();
        for (String line : new String(snapshot, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                int eq = line.indexOf('=');
                kv.data.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return kv;
    }

    /** A digest of the whole state, to compare replicas at the same index. */
    long digest() {
        CRC32 crc = new CRC32();
        crc.update(snapshot());
        return crc.getValue() ^ ((long) data.size() << 32);
    }
}
