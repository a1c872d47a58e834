package dev.meshplane.controlplane.state;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckTxnOp;
import dev.meshplane.proto.v1.KvEntry;
import dev.meshplane.proto.v1.KvTxnOp;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.NodeTxnOp;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceTxnOp;
import dev.meshplane.proto.v1.TxnError;
import dev.meshplane.proto.v1.TxnOp;
import dev.meshplane.proto.v1.TxnResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a transaction's operations in order against the live tables with the journal on;
 * the first failing operation rolls every earlier one back. Request shape (verbs set, keys and
 * sizes valid, at most 128 operations) is checked before the transaction enters the log.
 */
final class TxnApplier {
    /** The result, and the changes to publish (empty when rolled back). */
    record Outcome(ApplyResult result, Changes changes) {}

    /** An operation failed; the message says why. */
    private static final class OpFailed extends Exception {
        OpFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final StateStore.Tables t;
    private final List<TxnResult> results = new ArrayList<>();
    private final Changes changes = new Changes();

    TxnApplier(StateStore.Tables tables) {
        this.t = tables;
    }

    Outcome apply(long index, List<TxnOp> ops) {
        t.journal.begin();
        for (int i = 0; i < ops.size(); i++) {
            try {
                applyOne(index, ops.get(i));
            } catch (OpFailed e) {
                t.journal.rollback();
                TxnError error = TxnError.newBuilder().setOpIndex(i).setWhat(e.getMessage()).build();
                return new Outcome(new ApplyResult.Txn(false, List.of(), List.of(error)), new Changes());
            }
        }
        t.journal.commit();
        return new Outcome(new ApplyResult.Txn(true, List.copyOf(results), List.of()), changes);
    }

    private void applyOne(long index, TxnOp op) throws OpFailed {
        switch (op.getOpCase()) {
            case KV -> kv(index, op.getKv());
            case NODE -> node(index, op.getNode());
            case SERVICE -> service(index, op.getService());
            case CHECK -> check(index, op.getCheck());
            case OP_NOT_SET -> throw new OpFailed("operation not set");
        }
    }

    private void kv(long index, KvTxnOp op) throws OpFailed {
        KvTable kv = t.kv;
        String key = op.getKey();
        ByteString value = op.getValue();
        switch (op.getVerb()) {
            case KV_SET -> kv.set(index, key, value, op.getFlags(), changes);
            case KV_CAS -> fail(kv.cas(index, key, value, op.getFlags(), op.getIndex(), changes));
            case KV_LOCK -> {
                if (t.sessions.get(op.getSession()) == null) {
                    throw new OpFailed("session " + op.getSession() + " does not exist");
                }
                fail(kv.lock(index, key, value, op.getFlags(), op.getSession(), changes));
            }
            case KV_UNLOCK -> fail(kv.unlock(index, key, value, op.getFlags(), op.getSession(), changes));
            case KV_GET -> {
                KvEntry e = kv.get(key);
                if (e == null) {
                    throw new OpFailed("key \"" + key + "\" does not exist");
                }
                results.add(TxnResult.newBuilder().setKv(e).build());
                return;
            }
            case KV_GET_TREE -> {
                for (KvEntry e : kv.prefix(key).values()) {
                    results.add(TxnResult.newBuilder().setKv(e).build());
                }
                return;
            }
            case KV_CHECK_INDEX -> {
                fail(kv.checkIndex(key, op.getIndex()));
                return;
            }
            case KV_CHECK_SESSION -> {
                fail(kv.checkSession(key, op.getSession()));
                return;
            }
            case KV_CHECK_NOT_EXISTS -> {
                if (kv.get(key) != null) {
                    throw new OpFailed("key \"" + key + "\" exists");
                }
                return;
            }
            case KV_DELETE -> {
                kv.delete(index, key, changes);
                return;
            }
            case KV_DELETE_TREE -> {
                kv.deleteTree(index, key, changes);
                return;
            }
            case KV_DELETE_CAS -> {
                fail(kv.deleteCas(index, key, op.getIndex(), changes));
                return;
            }
            case KV_VERB_UNSPECIFIED, UNRECOGNIZED -> throw new OpFailed("unknown KV verb " + op.getVerbValue());
        }
        // Writes answer with the entry's indexes, not its value, as Consul does.
        results.add(TxnResult.newBuilder().setKv(kv.get(key).toBuilder().clearValue()).build());
    }

    private void node(long index, NodeTxnOp op) throws OpFailed {
        CatalogTable c = t.catalog;
        Node given = op.getNode();
        Node stored = c.node(given.getName());
        switch (op.getVerb()) {
            case CATALOG_SET -> results.add(nodeResult(c.ensureNode(index, unindexed(given), changes)));
            case CATALOG_CAS -> {
                compare("node \"" + given.getName() + "\"", stored == null ? null : stored.getModifyIndex(),
                        given.getModifyIndex());
                results.add(nodeResult(c.ensureNode(index, unindexed(given), changes)));
            }
            case CATALOG_GET -> results.add(nodeResult(existing(stored, "node \"" + given.getName() + "\"")));
            case CATALOG_DELETE -> c.removeNode(index, given.getName(), changes);
            case CATALOG_DELETE_CAS -> {
                compare("node \"" + given.getName() + "\"", existing(stored, "node \"" + given.getName() + "\"")
                        .getModifyIndex(), given.getModifyIndex());
                c.removeNode(index, given.getName(), changes);
            }
            case CATALOG_VERB_UNSPECIFIED, UNRECOGNIZED -> throw new OpFailed("unknown verb " + op.getVerbValue());
        }
    }

    private void service(long index, ServiceTxnOp op) throws OpFailed {
        CatalogTable c = t.catalog;
        existing(c.node(op.getNode()), "node \"" + op.getNode() + "\"");
        Service given = op.getService();
        String what = "service \"" + given.getId() + "\" on node \"" + op.getNode() + "\"";
        Service stored = c.service(new InstanceKey(op.getNode(), given.getId()));
        Service plain = given.toBuilder().clearCreateIndex().clearModifyIndex().build();
        switch (op.getVerb()) {
            case CATALOG_SET -> results.add(TxnResult.newBuilder()
                    .setService(c.ensureService(index, op.getNode(), plain, changes)).build());
            case CATALOG_CAS -> {
                compare(what, stored == null ? null : stored.getModifyIndex(), given.getModifyIndex());
                results.add(TxnResult.newBuilder().setService(c.ensureService(index, op.getNode(), plain, changes))
                        .build());
            }
            case CATALOG_GET -> results.add(TxnResult.newBuilder().setService(existing(stored, what)).build());
            case CATALOG_DELETE -> c.removeService(index, op.getNode(), given.getId(), changes);
            case CATALOG_DELETE_CAS -> {
                compare(what, existing(stored, what).getModifyIndex(), given.getModifyIndex());
                c.removeService(index, op.getNode(), given.getId(), changes);
            }
            case CATALOG_VERB_UNSPECIFIED, UNRECOGNIZED -> throw new OpFailed("unknown verb " + op.getVerbValue());
        }
    }

    private void check(long index, CheckTxnOp op) throws OpFailed {
        CatalogTable c = t.catalog;
        Check given = op.getCheck();
        existing(c.node(given.getNode()), "node \"" + given.getNode() + "\"");
        String what = "check \"" + given.getCheckId() + "\" on node \"" + given.getNode() + "\"";
        Check stored = c.check(given.getNode(), given.getCheckId());
        Check plain = given.toBuilder().clearCreateIndex().clearModifyIndex().build();
        boolean writes = op.getVerb() == dev.meshplane.proto.v1.CatalogVerb.CATALOG_SET
                || op.getVerb() == dev.meshplane.proto.v1.CatalogVerb.CATALOG_CAS;
        if (writes && !given.getServiceId().isEmpty()
                && c.service(new InstanceKey(given.getNode(), given.getServiceId())) == null) {
            throw new OpFailed("service \"" + given.getServiceId() + "\" is not registered on node \""
                    + given.getNode() + "\"");
        }
        switch (op.getVerb()) {
            case CATALOG_SET -> results.add(TxnResult.newBuilder().setCheck(c.ensureCheck(index, plain, changes)).build());
            case CATALOG_CAS -> {
                compare(what, stored == null ? null : stored.getModifyIndex(), given.getModifyIndex());
                results.add(TxnResult.newBuilder().setCheck(c.ensureCheck(index, plain, changes)).build());
            }
            case CATALOG_GET -> results.add(TxnResult.newBuilder().setCheck(existing(stored, what)).build());
            case CATALOG_DELETE -> c.removeCheck(index, given.getNode(), given.getCheckId(), changes);
            case CATALOG_DELETE_CAS -> {
                compare(what, existing(stored, what).getModifyIndex(), given.getModifyIndex());
                c.removeCheck(index, given.getNode(), given.getCheckId(), changes);
            }
            case CATALOG_VERB_UNSPECIFIED, UNRECOGNIZED -> throw new OpFailed("unknown verb " + op.getVerbValue());
        }
    }

    private static Node unindexed(Node n) {
        return n.toBuilder().clearCreateIndex().clearModifyIndex().build();
    }

    private static TxnResult nodeResult(Node n) {
        return TxnResult.newBuilder().setNode(n).build();
    }

    private static <T> T existing(T value, String what) throws OpFailed {
        if (value == null) {
            throw new OpFailed(what + " does not exist");
        }
        return value;
    }

    /** CAS: the stored modify index (null when absent) must equal the given one (0 when absent). */
    private static void compare(String what, Long stored, long given) throws OpFailed {
        long actual = stored == null ? 0 : stored;
        if (actual != given) {
            throw new OpFailed(what + (stored == null ? " does not exist" : " has modify index " + actual)
                    + ", not " + given);
        }
    }

    private static void fail(String reason) throws OpFailed {
        if (reason != null) {
            throw new OpFailed(reason);
        }
    }
}
