package dev.meshplane.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.Session;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateSnapshotTest {

    /** 100,000 keys, 10,000 instances with checks, sessions holding locks, tombstones. */
    private static StateStore bigStore() {
        StateStore store = new StateStore();
        long index = 1;
        Random random = new Random(42);
        for (int n = 0; n < 100; n++) {
            String node = "node-" + n;
            store.apply(++index, Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder()
                    .setNode(Node.newBuilder().setName(node).setAddress("10.0." + n / 256 + "." + n % 256)
                            .putMeta("rack", "r" + n % 7))
                    .addChecks(Check.newBuilder().setCheckId("serfHealth").setStatus(HealthStatus.HEALTH_STATUS_PASSING)))
                    .build());
            for (int s = 0; s < 100; s++) {
                String id = "svc-" + s % 20 + "-" + n + "-" + s;
                store.apply(++index, Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder()
                        .setNode(Node.newBuilder().setName(node).setAddress("10.0." + n / 256 + "." + n % 256)
                                .putMeta("rack", "r" + n % 7))
                        .setService(Service.newBuilder().setName("svc-" + s % 20).setId(id).setPort(1000 + s)
                                .addTags("t" + s % 3))
                        .addChecks(Check.newBuilder().setCheckId("check-" + id).setServiceId(id)
                                .setStatus(HealthStatus.forNumber(1 + random.nextInt(3))).setOutput("out " + s)))
                        .build());
            }
        }
        for (int s = 0; s < 10; s++) {
            store.apply(++index, Command.newBuilder().setSessionCreate(Session.newBuilder().setId("sess-" + s)
                    .setNode("node-" + s).addNodeChecks("serfHealth")).build());
        }
        for (int k = 0; k < 100_000; k++) {
            KvPut.Builder put = KvPut.newBuilder().setKey("config/" + k % 97 + "/key-" + k)
                    .setValue(ByteString.copyFromUtf8("value-" + random.nextInt())).setFlags(k % 5);
            if (k % 10_000 == 0) {
                put.setAcquire("sess-" + (k / 10_000));
            }
            store.apply(++index, Command.newBuilder().setKvPut(put).build());
        }
        for (int k = 0; k < 1_000; k++) {
            store.apply(++index, Command.newBuilder().setKvDelete(KvDelete.newBuilder()
                    .setKey("config/" + k % 97 + "/key-" + k)).build());
        }
        return store;
    }

    private static byte[] write(StateStore store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateSnapshot.write(store, out, "test");
        return out.toByteArray();
    }

    @Test
    void aLargeStoreRoundTripsExactly() throws Exception {
        StateStore original = bigStore();
        assertEquals(10_000, original.read(() -> new StateQueries(original).services().value().stream()
                .mapToInt(s -> s.getInstances()).sum()));
        byte[] bytes = write(original);
        SnapshotReader.Restored restored = SnapshotReader.read(new ByteArrayInputStream(bytes));
        assertEquals(original.lastIndex(), restored.index());

        StateStore copy = new StateStore();
        copy.restore(restored, restored.index());
        List<?> before = original.read(() -> StateSnapshot.capture(original.tables()));
        List<?> after = copy.read(() -> StateSnapshot.capture(copy.tables()));
        assertEquals(before.size(), after.size());
        assertEquals(before, after, "every record, index and tombstone equal after restore");

        StateQueries q = new StateQueries(copy);
        StateQueries o = new StateQueries(original);
        assertEquals(o.kvList("config/5/", false, "").value(), q.kvList("config/5/", false, "").value());
        assertEquals(o.kvList("config/5/", false, "").index(), q.kvList("config/5/", false, "").index());
        assertEquals(o.serviceEntries("svc-3", ServiceFilter.ALL, true), q.serviceEntries("svc-3", ServiceFilter.ALL, true));
        assertEquals(o.sessions(""), q.sessions(""));
        assertEquals(List.of("config/9/key-10000"), copy.read(() -> copy.tables().kv.keysLockedBy("sess-1")),
                "locks are re-indexed by session");
    }

    @Test
    void damagedOrForeignFilesAreRefused() throws Exception {
        StateStore store = new StateStore();
        store.apply(2, Command.newBuilder().setKvPut(KvPut.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("b")))
                .build());
        byte[] good = write(store);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x40;
        var e = assertThrows(SnapshotReader.SnapshotException.class,
                () -> SnapshotReader.read(new ByteArrayInputStream(flipped)));
        assertTrue(e.getMessage().startsWith("corrupt snapshot"), e.getMessage());

        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        e = assertThrows(SnapshotReader.SnapshotException.class,
                () -> SnapshotReader.read(new ByteArrayInputStream(truncated)));
        assertTrue(e.getMessage().startsWith("truncated snapshot") || e.getMessage().startsWith("corrupt snapshot"),
                e.getMessage());

        e = assertThrows(SnapshotReader.SnapshotException.class,
                () -> SnapshotReader.read(new ByteArrayInputStream("{\"json\": true}".getBytes())));
        assertEquals("not a Meshplane snapshot (the file does not start with MPSNAP)", e.getMessage());

        e = assertThrows(SnapshotReader.SnapshotException.class,
                () -> SnapshotReader.read(new ByteArrayInputStream(new byte[0])));
        assertEquals("not a Meshplane snapshot (the file does not start with MPSNAP)", e.getMessage());

        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        e = assertThrows(SnapshotReader.SnapshotException.class,
                () -> SnapshotReader.read(new ByteArrayInputStream(trailing)));
        assertEquals("corrupt snapshot: data after the trailer", e.getMessage());
    }

    @Test
    void everyFlippedByteIsCaught() throws Exception {
        StateStore store = new StateStore();
        store.apply(2, Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName("n").setAddress("1.2.3.4"))
                .setService(Service.newBuilder().setName("s").setId("s"))).build());
        byte[] good = write(store);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            int at = i;
            assertThrows(SnapshotReader.SnapshotException.class,
                    () -> SnapshotReader.read(new ByteArrayInputStream(bad)), "a flip at byte " + at + " went unnoticed");
        }
    }
}
