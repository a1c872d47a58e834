package dev.meshplane.controlplane.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.controlplane.watch.WatchConfig;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogVerb;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.KvTxnOp;
import dev.meshplane.proto.v1.KvVerb;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.NodeTxnOp;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceTxnOp;
import dev.meshplane.proto.v1.TxnGrpc;
import dev.meshplane.proto.v1.TxnOp;
import dev.meshplane.proto.v1.TxnRequest;
import dev.meshplane.proto.v1.TxnResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TxnTest {
    private InProcessServer server;
    private TxnGrpc.TxnBlockingStub txn;
    private KVGrpc.KVBlockingStub kv;

    @BeforeEach
    void start() throws Exception {
        server = new InProcessServer(WatchConfig.DEFAULTS);
        txn = TxnGrpc.newBlockingStub(server.channel);
        kv = KVGrpc.newBlockingStub(server.channel);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private static TxnOp kvOp(KvVerb verb, String key, String value, long index) {
        return TxnOp.newBuilder().setKv(KvTxnOp.newBuilder().setVerb(verb).setKey(key)
                .setValue(ByteString.copyFromUtf8(value)).setIndex(index)).build();
    }

    private boolean exists(String key) {
        return kv.get(KvGetRequest.newBuilder().setKey(key).build()).getFound();
    }

    @Test
    void allOperationsApplyTogetherWithTheirResults() {
        TxnResponse r = txn.apply(TxnRequest.newBuilder()
                .addOps(kvOp(KvVerb.KV_SET, "t/a", "1", 0))
                .addOps(kvOp(KvVerb.KV_CAS, "t/b", "2", 0))
                .addOps(kvOp(KvVerb.KV_GET, "t/a", "", 0))
                .addOps(TxnOp.newBuilder().setNode(NodeTxnOp.newBuilder().setVerb(CatalogVerb.CATALOG_SET)
                        .setNode(Node.newBuilder().setName("n9").setAddress("10.0.0.9"))))
                .addOps(TxnOp.newBuilder().setService(ServiceTxnOp.newBuilder().setVerb(CatalogVerb.CATALOG_SET)
                        .setNode("n9").setService(Service.newBuilder().setName("db").setPort(5432))))
                .build());
        assertTrue(r.getApplied(), r.toString());
        assertEquals(5, r.getResultsCount());
        assertEquals("", r.getResults(0).getKv().getValue().toStringUtf8(), "writes answer without the value");
        assertEquals(r.getIndex(), r.getResults(0).getKv().getModifyIndex(), "all at one index");
        assertEquals("1", r.getResults(2).getKv().getValue().toStringUtf8(), "a get sees the earlier set");
        assertEquals("db", r.getResults(4).getService().getId());
        assertTrue(exists("t/a") && exists("t/b"));
        assertEquals(1, CatalogGrpc.newBlockingStub(server.channel).getNode(GetNodeRequest.newBuilder().setNode("n9")
                .build()).getServicesCount());
    }

    @Test
    void aFailingOperationRollsBackEverythingBeforeIt() {
        kv.put(KvPutRequest.newBuilder().setKey("t/existing").setValue(ByteString.copyFromUtf8("old")).build());
        TxnResponse r = txn.apply(TxnRequest.newBuilder()
                .addOps(kvOp(KvVerb.KV_SET, "t/new", "1", 0))
                .addOps(kvOp(KvVerb.KV_SET, "t/existing", "overwritten", 0))
                .addOps(kvOp(KvVerb.KV_DELETE, "t/existing", "", 0))
                .addOps(TxnOp.newBuilder().setNode(NodeTxnOp.newBuilder().setVerb(CatalogVerb.CATALOG_SET)
                        .setNode(Node.newBuilder().setName("n8").setAddress("10.0.0.8"))))
                .addOps(kvOp(KvVerb.KV_CHECK_INDEX, "t/new", "", 999_999))
                .addOps(kvOp(KvVerb.KV_SET, "t/after", "never", 0))
                .build());
        assertFalse(r.getApplied());
        assertEquals(0, r.getResultsCount());
        assertEquals(1, r.getErrorsCount());
        assertEquals(4, r.getErrors(0).getOpIndex());
        assertTrue(r.getErrors(0).getWhat().startsWith("key \"t/new\" has modify index "), r.getErrors(0).getWhat());
        assertFalse(exists("t/new"));
        assertFalse(exists("t/after"));
        assertEquals("old", kv.get(KvGetRequest.newBuilder().setKey("t/existing").build()).getEntry().getValue()
                .toStringUtf8());
        assertFalse(CatalogGrpc.newBlockingStub(server.channel).getNode(GetNodeRequest.newBuilder().setNode("n8")
                .build()).hasNode(), "the catalog write was undone too");
    }

    @Test
    void shapeIsCheckedBeforeTheLog() {
        TxnRequest.Builder tooMany = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            tooMany.addOps(kvOp(KvVerb.KV_SET, "k" + i, "v", 0));
        }
        var e = assertThrows(StatusRuntimeException.class, () -> txn.apply(tooMany.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("ops: 129 operations; the limit is 128", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> txn.apply(TxnRequest.newBuilder()
                .addOps(kvOp(KvVerb.KV_SET, "ok", "v", 0)).addOps(kvOp(KvVerb.KV_VERB_UNSPECIFIED, "k", "v", 0)).build()));
        assertEquals("ops[1].kv.verb: must be set", e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> txn.apply(TxnRequest.newBuilder()
                .addOps(kvOp(KvVerb.KV_SET, "/bad", "v", 0)).build()));
        assertEquals("ops[0].kv.key: \"/bad\" must not start with '/'", e.getStatus().getDescription());
        assertFalse(exists("ok"));
    }
}
