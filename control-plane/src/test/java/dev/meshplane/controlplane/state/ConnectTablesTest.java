package dev.meshplane.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.CaSetState;
import dev.meshplane.proto.internal.v1.CaState;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.IntentionDelete;
import dev.meshplane.proto.v1.CaRoot;
import dev.meshplane.proto.v1.Intention;
import dev.meshplane.proto.v1.IntentionAction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The CA and intention tables: conditional CA writes, intention indexes, snapshots that keep both. */
class ConnectTablesTest {
    private static CaState ca(String cluster, String activeRoot, String key) {
        return CaState.newBuilder().setClusterId(cluster).setTrustDomain(cluster + ".consul").setActiveRootId(activeRoot)
                .addRoots(CaRoot.newBuilder().setId(activeRoot).setActive(true)).setActivePrivateKeyPem(key).build();
    }

    private static Command setCa(String expected, CaState state) {
        return Command.newBuilder().setCaSetState(CaSetState.newBuilder().setExpectedActiveRootId(expected)
                .setState(state)).build();
    }

    private static Command upsert(String src, String dst, IntentionAction action) {
        return Command.newBuilder().setIntentionUpsert(Intention.newBuilder().setSourceName(src).setDestinationName(dst)
                .setAction(action).setPrecedence(9)).build();
    }

    @Test
    void caWritesAreConditionalOnTheActiveRoot() {
        StateStore store = new StateStore();
        ConnectQueries q = new ConnectQueries(store);
        assertTrue(q.caState().value().isEmpty());
        assertEquals(ApplyResult.DONE, store.apply(2, setCa("", ca("c1", "r1", "k1"))));
        // A second leader that also saw "no CA" loses: the first root stays.
        ApplyResult raced = store.apply(3, setCa("", ca("c2", "r9", "k9")));
        assertInstanceOf(ApplyResult.Rejected.class, raced);
        assertEquals("r1", q.caState().value().orElseThrow().getActiveRootId());
        assertEquals(2, q.caState().index());
        // A rotation from the right root applies; a stale one does not.
        assertEquals(ApplyResult.DONE, store.apply(4, setCa("r1", ca("c1", "r2", "k2"))));
        assertInstanceOf(ApplyResult.Rejected.class, store.apply(5, setCa("r1", ca("c1", "r3", "k3"))));
        // The cluster ID never changes.
        assertInstanceOf(ApplyResult.Rejected.class, store.apply(6, setCa("r2", ca("other", "r4", "k4"))));
        assertEquals("r2", q.caState().value().orElseThrow().getActiveRootId());
        assertEquals(4, q.caState().index());
    }

    @Test
    void intentionsAreUniquePerPairWithIndexes() {
        StateStore store = new StateStore();
        ConnectQueries q = new ConnectQueries(store);
        store.apply(2, upsert("web", "db", IntentionAction.INTENTION_ACTION_ALLOW));
        store.apply(3, upsert("web", "db", IntentionAction.INTENTION_ACTION_DENY));
        Intention i = q.intention("web", "db").value().orElseThrow();
        assertEquals(IntentionAction.INTENTION_ACTION_DENY, i.getAction());
        assertEquals(2, i.getCreateIndex());
        assertEquals(3, i.getModifyIndex());
        // An unchanged write changes nothing and bumps no index.
        store.apply(4, upsert("web", "db", IntentionAction.INTENTION_ACTION_DENY));
        assertEquals(3, q.intentions().index());
        assertEquals(1, q.intentions().value().size());
        ApplyResult missing = store.apply(5, Command.newBuilder().setIntentionDelete(IntentionDelete.newBuilder()
                .setSourceName("api").setDestinationName("db")).build());
        assertEquals(new ApplyResult.Conditional(false), missing);
        ApplyResult deleted = store.apply(6, Command.newBuilder().setIntentionDelete(IntentionDelete.newBuilder()
                .setSourceName("web").setDestinationName("db")).build());
        assertEquals(new ApplyResult.Conditional(true), deleted);
        assertTrue(q.intentions().value().isEmpty());
        assertEquals(6, q.intentions().index());
    }

    @Test
    void snapshotsKeepTheCaAndIntentions() throws Exception {
        StateStore store = new StateStore();
        store.apply(2, setCa("", ca("c1", "r1", "-----BEGIN PRIVATE KEY-----")));
        store.apply(3, upsert("web", "db", IntentionAction.INTENTION_ACTION_ALLOW));
        store.apply(4, upsert("*", "db", IntentionAction.INTENTION_ACTION_DENY));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateSnapshot.write(store, out, "test");
        SnapshotReader.Restored restored = SnapshotReader.read(new ByteArrayInputStream(out.toByteArray()));
        StateStore copy = new StateStore();
        copy.restore(restored, restored.index());
        ConnectQueries q = new ConnectQueries(copy);
        assertEquals(new ConnectQueries(store).caState(), q.caState());
        assertEquals(new ConnectQueries(store).intentions(), q.intentions());
        assertEquals(4, q.intentions().index());
        assertEquals(2, q.caState().index());
    }
}
