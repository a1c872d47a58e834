package dev.meshplane.controlplane.state;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.Session;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Sessions by ID. A session names the checks that keep it alive; it is created only while they
 * all exist and pass, and {@link StateStore} invalidates it when one fails or goes away. Not
 * thread-safe: {@link StateStore} serializes access.
 */
final class SessionTable {
    private final Journal journal;
    private final JournaledMap<String, Session> byId;
    private long tableIndex;

    SessionTable(Journal journal) {
        this.journal = journal;
        this.byId = new JournaledMap<>(new TreeMap<>(), journal);
    }

    /** Null on success, else why the session cannot be created. */
    ApiException create(long index, Session session, CatalogTable catalog, Changes changes) {
        if (byId.containsKey(session.getId())) {
            return ApiException.failedPrecondition("session " + session.getId() + " already exists");
        }
        if (catalog.node(session.getNode()) == null) {
            return ApiException.invalidArgument("node", "\"" + session.getNode() + "\" is not registered");
        }
        for (String id : session.getNodeChecksList()) {
            String problem = checkUsable(catalog, session.getNode(), id, true);
            if (problem != null) {
                return ApiException.invalidArgument("node_checks", problem);
            }
        }
        for (String id : session.getServiceChecksList()) {
            String problem = checkUsable(catalog, session.getNode(), id, false);
            if (problem != null) {
                return ApiException.invalidArgument("service_checks", problem);
            }
        }
        byId.put(session.getId(), session.toBuilder().setCreateIndex(index).setModifyIndex(index).build());
        setTableIndex(index);
        changes.sessions();
        return null;
    }

    private static String checkUsable(CatalogTable catalog, String node, String checkId, boolean nodeLevel) {
        Check c = catalog.check(node, checkId);
        if (c == null) {
            return "check \"" + checkId + "\" is not registered on node \"" + node + "\"";
        }
        if (nodeLevel != c.getServiceId().isEmpty()) {
            return "check \"" + checkId + "\" is " + (nodeLevel ? "a service" : "a node") + " check";
        }
        if (Health.isFailing(c.getStatus())) {
            return "check \"" + checkId + "\" is in a critical state";
        }
        return null;
    }

    /** Removes the session; returns it, or null if it did not exist. */
    Session remove(long index, String id, Changes changes) {
        Session removed = byId.remove(id);
        if (removed != null) {
            setTableIndex(index);
            changes.sessions();
        }
        return removed;
    }

    void restore(Session session) {
        byId.put(session.getId(), session);
    }

    void restoreTableIndex(long index) {
        tableIndex = index;
    }

    Session get(String id) {
        return byId.get(id);
    }

    /** Sorted by ID. */
    Collection<Session> all() {
        return byId.values();
    }

    /** Sessions that rely on the check (or on any check of a removed node). */
    List<String> dependingOn(Changes.CheckRef check) {
        List<String> ids = new ArrayList<>();
        for (Session s : byId.values()) {
            if (s.getNode().equals(check.node()) && (s.getNodeChecksList().contains(check.checkId())
                    || s.getServiceChecksList().contains(check.checkId()))) {
                ids.add(s.getId());
            }
        }
        return ids;
    }

    List<String> onNode(String node) {
        List<String> ids = new ArrayList<>();
        for (Session s : byId.values()) {
            if (s.getNode().equals(node)) {
                ids.add(s.getId());
            }
        }
        return ids;
    }

    long tableIndex() {
        return tableIndex;
    }

    private void setTableIndex(long index) {
        long old = tableIndex;
        journal.record(() -> tableIndex = old);
        tableIndex = index;
    }
}
