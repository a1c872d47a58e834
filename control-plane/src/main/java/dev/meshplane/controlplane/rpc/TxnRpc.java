package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.ApiLimits;
import dev.meshplane.api.CheckRules;
import dev.meshplane.api.KvRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.api.NodeRules;
import dev.meshplane.api.ServiceRules;
import dev.meshplane.controlplane.session.LockDelays;
import dev.meshplane.controlplane.state.ApplyResult;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.Txn;
import dev.meshplane.proto.v1.CatalogVerb;
import dev.meshplane.proto.v1.KvTxnOp;
import dev.meshplane.proto.v1.KvVerb;
import dev.meshplane.proto.v1.TxnError;
import dev.meshplane.proto.v1.TxnGrpc;
import dev.meshplane.proto.v1.TxnOp;
import dev.meshplane.proto.v1.TxnRequest;
import dev.meshplane.proto.v1.TxnResponse;
import io.grpc.stub.StreamObserver;

/** Transactions: shape checked here, applied all-or-nothing by the state store. */
final class TxnRpc extends TxnGrpc.TxnImplBase {
    /** Consul's limit. */
    static final int MAX_OPS = 128;

    private final Writes writes;
    private final ApiLimits limits;
    private final LockDelays lockDelays;

    TxnRpc(Writes writes, ApiLimits limits, LockDelays lockDelays) {
        this.writes = writes;
        this.limits = limits;
        this.lockDelays = lockDelays;
    }

    @Override
    public void apply(TxnRequest request, StreamObserver<TxnResponse> observer) {
        if (request.getOpsCount() == 0) {
            throw ApiException.invalidArgument("ops", "must not be empty");
        }
        if (request.getOpsCount() > MAX_OPS) {
            throw ApiException.invalidArgument("ops", request.getOpsCount() + " operations; the limit is " + MAX_OPS);
        }
        Txn.Builder txn = Txn.newBuilder();
        for (int i = 0; i < request.getOpsCount(); i++) {
            TxnOp op = normalize("ops[" + i + "]", request.getOps(i));
            if (op.hasKv() && op.getKv().getVerb() == KvVerb.KV_LOCK && lockDelays.blocked(op.getKv().getKey())) {
                observer.onNext(TxnResponse.newBuilder().setApplied(false).addErrors(TxnError.newBuilder()
                        .setOpIndex(i).setWhat("key \"" + op.getKv().getKey()
                                + "\" is within the lock delay of a lost lock")).build());
                observer.onCompleted();
                return;
            }
            txn.addOps(op);
        }
        writes.propose(Command.newBuilder().setTxn(txn).build(), observer, a -> {
            ApplyResult.Txn t = (ApplyResult.Txn) a.result();
            return TxnResponse.newBuilder().setApplied(t.applied()).addAllResults(t.results())
                    .addAllErrors(t.errors()).setIndex(a.index()).build();
        });
    }

    private TxnOp normalize(String path, TxnOp op) {
        return switch (op.getOpCase()) {
            case KV -> TxnOp.newBuilder().setKv(kv(path + ".kv", op.getKv())).build();
            case NODE -> {
                var n = op.getNode();
                verb(path + ".node.verb", n.getVerb());
                var node = n.getVerb() == CatalogVerb.CATALOG_SET || n.getVerb() == CatalogVerb.CATALOG_CAS
                        ? NodeRules.normalize(path + ".node.node", n.getNode())
                        : nameOnly(path + ".node.node", n.getNode());
                yield TxnOp.newBuilder().setNode(n.toBuilder().setNode(
                        node.toBuilder().setModifyIndex(n.getNode().getModifyIndex()))).build();
            }
            case SERVICE -> {
                var s = op.getService();
                verb(path + ".service.verb", s.getVerb());
                NameRules.checkName(path + ".service.node", s.getNode());
                var service = s.getVerb() == CatalogVerb.CATALOG_SET || s.getVerb() == CatalogVerb.CATALOG_CAS
                        ? ServiceRules.normalize(path + ".service.service", s.getService())
                        : s.getService();
                NameRules.checkId(path + ".service.service.id", service.getId());
                yield TxnOp.newBuilder().setService(s.toBuilder().setService(
                        service.toBuilder().setModifyIndex(s.getService().getModifyIndex()))).build();
            }
            case CHECK -> {
                var c = op.getCheck();
                verb(path + ".check.verb", c.getVerb());
                NameRules.checkName(path + ".check.check.node", c.getCheck().getNode());
                var check = CheckRules.normalize(path + ".check.check", c.getCheck());
                yield TxnOp.newBuilder().setCheck(c.toBuilder().setCheck(check.toBuilder()
                        .setNode(c.getCheck().getNode()).setModifyIndex(c.getCheck().getModifyIndex()))).build();
            }
            case OP_NOT_SET -> throw ApiException.invalidArgument(path, "must be one of kv, node, service or check");
        };
    }

    private static dev.meshplane.proto.v1.Node nameOnly(String path, dev.meshplane.proto.v1.Node node) {
        NameRules.checkName(path + ".name", node.getName());
        return node;
    }

    private static void verb(String path, CatalogVerb verb) {
        if (verb == CatalogVerb.CATALOG_VERB_UNSPECIFIED || verb == CatalogVerb.UNRECOGNIZED) {
            throw ApiException.invalidArgument(path, "must be set");
        }
    }

    private KvTxnOp kv(String path, KvTxnOp op) {
        KvVerb verb = op.getVerb();
        if (verb == KvVerb.KV_VERB_UNSPECIFIED || verb == KvVerb.UNRECOGNIZED) {
            throw ApiException.invalidArgument(path + ".verb", "must be set");
        }
        if (verb == KvVerb.KV_GET_TREE || verb == KvVerb.KV_DELETE_TREE) {
            KvRules.checkPrefix(path + ".key", op.getKey(), limits);
        } else {
            KvRules.checkKey(path + ".key", op.getKey(), limits);
        }
        KvRules.checkValue(path + ".value", op.getValue(), limits);
        if (verb == KvVerb.KV_LOCK || verb == KvVerb.KV_UNLOCK || verb == KvVerb.KV_CHECK_SESSION) {
            NameRules.checkId(path + ".session", op.getSession());
        }
        return op;
    }
}
