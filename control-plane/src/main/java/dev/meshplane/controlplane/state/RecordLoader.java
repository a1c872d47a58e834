package dev.meshplane.controlplane.state;

import dev.meshplane.proto.internal.v1.IndexRecord;
import dev.meshplane.proto.internal.v1.SnapshotRecord;

/** Puts snapshot records into fresh tables, refusing references to things not (yet) loaded. */
final class RecordLoader {
    private final StateStore.Tables t;

    RecordLoader(StateStore.Tables tables) {
        this.t = tables;
    }

    /** Null when loaded, else what is wrong with the record. */
    String load(SnapshotRecord r) {
        switch (r.getRecordCase()) {
            case NODE -> {
                if (r.getNode().getName().isEmpty() || t.catalog.node(r.getNode().getName()) != null) {
                    return "node with an empty or repeated name";
                }
                t.catalog.restoreNode(r.getNode());
            }
            case SERVICE -> {
                var s = r.getService();
                if (t.catalog.node(s.getNode()) == null) {
                    return "service \"" + s.getService().getId() + "\" on unknown node \"" + s.getNode() + "\"";
                }
                t.catalog.restoreService(s.getNode(), s.getService());
            }
            case CHECK -> {
                var c = r.getCheck();
                if (t.catalog.node(c.getNode()) == null) {
                    return "check \"" + c.getCheckId() + "\" on unknown node \"" + c.getNode() + "\"";
                }
                if (!c.getServiceId().isEmpty()
                        && t.catalog.service(new InstanceKey(c.getNode(), c.getServiceId())) == null) {
                    return "check \"" + c.getCheckId() + "\" of unknown service \"" + c.getServiceId() + "\"";
                }
                t.catalog.restoreCheck(c);
            }
            case SESSION -> {
                if (t.catalog.node(r.getSession().getNode()) == null) {
                    return "session " + r.getSession().getId() + " on unknown node";
                }
                t.sessions.restore(r.getSession());
            }
            case KV -> {
                var e = r.getKv();
                if (!e.getSession().isEmpty() && t.sessions.get(e.getSession()) == null) {
                    return "key \"" + e.getKey() + "\" locked by unknown session " + e.getSession();
                }
                t.kv.restoreEntry(e);
            }
            case TOMBSTONE -> t.kv.restoreTombstone(r.getTombstone().getKey(), r.getTombstone().getIndex());
            case RESTORE_STAGING -> t.restores.put(r.getRestoreStaging().getRestoreId(),
                    new java.util.ArrayList<>(r.getRestoreStaging().getChunksList()));
            case CA -> {
                if (t.ca.state() != null) {
                    return "a second CA record";
                }
                t.ca.restore(r.getCa());
            }
            case INTENTION -> {
                var i = r.getIntention();
                if (i.getSourceName().isEmpty() || i.getDestinationName().isEmpty()
                        || t.intentions.get(i.getSourceName(), i.getDestinationName()) != null) {
                    return "intention with an empty or repeated source/destination";
                }
                t.intentions.restore(i);
            }
            case INDEX -> {
                return loadIndex(r.getIndex());
            }
            case TRAILER, RECORD_NOT_SET -> {
                return "unexpected record " + r.getRecordCase();
            }
        }
        return null;
    }

    private long nodes;
    private long services;
    private long checks;

    private String loadIndex(IndexRecord i) {
        switch (i.getKind()) {
            case NODES -> nodes = i.getIndex();
            case SERVICES -> services = i.getIndex();
            case CHECKS -> checks = i.getIndex();
            case KV -> t.kv.restoreTableIndex(i.getIndex());
            case SESSIONS -> t.sessions.restoreTableIndex(i.getIndex());
            case CA -> t.ca.restoreTableIndex(i.getIndex());
            case INTENTIONS -> t.intentions.restoreTableIndex(i.getIndex());
            case SERVICE_NAME -> t.catalog.restoreServiceNameIndex(i.getName(), i.getIndex());
            case NODE_NAME -> t.catalog.restoreNodeNameIndex(i.getName(), i.getIndex());
            case KIND_UNSPECIFIED, UNRECOGNIZED -> {
                return "index record of unknown kind " + i.getKindValue();
            }
        }
        t.catalog.restoreIndexes(nodes, services, checks);
        return null;
    }
}
