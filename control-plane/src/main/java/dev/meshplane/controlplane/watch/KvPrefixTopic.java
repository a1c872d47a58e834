package dev.meshplane.controlplane.watch;

import dev.meshplane.controlplane.state.Changes;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvEvent;
import dev.meshplane.proto.v1.WatchEvent;
import java.util.Optional;
import java.util.TreeMap;

/** Every KV entry under a prefix. */
final class KvPrefixTopic extends Topic {
    private final String prefix;
    private final StateQueries queries;
    private final TreeMap<String, KvEntry> current = new TreeMap<>();

    KvPrefixTopic(String prefix, StateQueries queries) {
        this.prefix = prefix;
        this.queries = queries;
        reload();
    }

    @Override
    protected void reload() {
        current.clear();
        for (KvEntry e : queries.kvList(prefix, false, "").value().getEntriesList()) {
            current.put(e.getKey(), e);
        }
    }

    String prefix() {
        return prefix;
    }

    @Override
    protected WatchEvent buildSnapshot(long index) {
        return WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.SNAPSHOT)
                .setKv(KvEvent.newBuilder().addAllUpserted(current.values())).build();
    }

    @Override
    protected WatchEvent applyChanges(long index, Changes changes) {
        KvEvent.Builder delta = KvEvent.newBuilder();
        for (String key : changes.kvKeys()) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            Optional<KvEntry> now = queries.kvGet(key).value();
            if (now.isPresent()) {
                current.put(key, now.get());
                delta.addUpserted(now.get());
            } else if (current.remove(key) != null) {
                delta.addDeleted(key);
            }
        }
        if (delta.getUpsertedCount() == 0 && delta.getDeletedCount() == 0) {
            return null;
        }
        return WatchEvent.newBuilder().setIndex(index).setKind(WatchEvent.Kind.DELTA).setKv(delta).build();
    }
}
