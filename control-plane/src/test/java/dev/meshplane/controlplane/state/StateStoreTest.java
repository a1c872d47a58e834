package dev.meshplane.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.internal.v1.Command;
import dev.meshplane.proto.internal.v1.KvDelete;
import dev.meshplane.proto.internal.v1.KvPut;
import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateStoreTest {
    private final StateStore store = new StateStore();
    private final StateQueries queries = new StateQueries(store);
    private final List<Changes> seen = new ArrayList<>();
    private long index;

    StateStoreTest() {
        store.addListener((i, c) -> seen.add(c));
    }

    private ApplyResult apply(Command c) {
        return store.apply(++index, c);
    }

    private static Command register(String node, Service service, Check... checks) {
        CatalogRegisterRequest.Builder b = CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName(node).setAddress("10.0.0." + node.length()));
        if (service != null) {
            b.setService(service);
        }
        for (Check c : checks) {
            b.addChecks(c);
        }
        return Command.newBuilder().setCatalogRegister(b).build();
    }

    private static Service svc(String name, String id, String... tags) {
        return Service.newBuilder().setName(name).setId(id).addAllTags(List.of(tags)).setPort(80).build();
    }

    private static Check check(String id, String serviceId, HealthStatus status) {
        return Check.newBuilder().setCheckId(id).setName(id).setServiceId(serviceId).setStatus(status).build();
    }

    private static Command put(String key, String value) {
        return Command.newBuilder().setKvPut(KvPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)))
                .build();
    }

    @Test
    void registrationStampsIndexesAndAnUnchangedReRegistrationChangesNothing() {
        apply(register("n1", svc("web", "web-1")));
        ServiceEntry e = queries.serviceEntries("web", ServiceFilter.ALL, true).value().get(0);
        assertEquals(1, e.getService().getCreateIndex());
        assertEquals(1, e.getService().getModifyIndex());
        assertEquals(1, e.getNode().getCreateIndex());

        int before = seen.size();
        apply(register("n1", svc("web", "web-1")));
        assertEquals(before, seen.size(), "an identical registration is not a change");
        assertEquals(1, queries.serviceEntries("web", ServiceFilter.ALL, true).index());

        apply(register("n1", svc("web", "web-1", "v2")));
        e = queries.serviceEntries("web", ServiceFilter.ALL, true).value().get(0);
        assertEquals(1, e.getService().getCreateIndex());
        assertEquals(3, e.getService().getModifyIndex());
        assertEquals(3, queries.serviceEntries("web", ServiceFilter.ALL, true).index());
    }

    @Test
    void healthCombinesNodeAndServiceChecksAndFiltersPassing() {
        apply(register("n1", svc("web", "web-1"), check("serfHealth", "", HealthStatus.HEALTH_STATUS_PASSING),
                check("http", "web-1", HealthStatus.HEALTH_STATUS_PASSING)));
        apply(register("n2", svc("web", "web-2"), check("http", "web-2", HealthStatus.HEALTH_STATUS_WARNING)));
        apply(register("n3", svc("web", "web-3")));

        List<ServiceEntry> all = queries.serviceEntries("web", ServiceFilter.ALL, true).value();
        assertEquals(List.of("n1", "n2", "n3"), all.stream().map(x -> x.getNode().getName()).toList());
        assertEquals(List.of("serfHealth", "http"),
                all.get(0).getChecksList().stream().map(Check::getCheckId).toList(), "node checks first");
        assertEquals(HealthStatus.HEALTH_STATUS_WARNING, all.get(1).getAggregatedStatus());
        assertEquals("web", all.get(0).getChecks(1).getServiceName(), "checks carry their service's name");

        var passing = new ServiceFilter(List.of(), Map.of(), true);
        assertEquals(List.of("n1", "n3"), queries.serviceEntries("web", passing, true).value().stream()
                .map(x -> x.getNode().getName()).toList(), "warning is not passing; no checks is passing");

        long before = queries.serviceEntries("web", ServiceFilter.ALL, true).index();
        apply(register("n1", null, check("serfHealth", "", HealthStatus.HEALTH_STATUS_CRITICAL)));
        assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL,
                queries.serviceEntries("web", ServiceFilter.ALL, true).value().get(0).getAggregatedStatus());
        assertTrue(queries.serviceEntries("web", ServiceFilter.ALL, true).index() > before,
                "a node check change moves the index of every service on the node");
    }

    @Test
    void tagAndNodeMetaFilters() {
        apply(register("n1", svc("db", "db-1", "primary")));
        apply(Command.newBuilder().setCatalogRegister(CatalogRegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setName("n2").setAddress("10.0.0.2").putMeta("rack", "r2"))
                .setService(svc("db", "db-2", "replica"))).build());
        assertEquals(List.of("db-1"), ids(new ServiceFilter(List.of("primary"), Map.of(), false)));
        assertEquals(List.of("db-2"), ids(new ServiceFilter(List.of(), Map.of("rack", "r2"), false)));
        assertEquals(List.of(), ids(new ServiceFilter(List.of("primary"), Map.of("rack", "r2"), false)));
    }

    private List<String> ids(ServiceFilter f) {
        return queries.serviceEntries("db", f, false).value().stream().map(e -> e.getService().getId()).toList();
    }

    @Test
    void checkForAnUnknownServiceIsRejectedAndNothingChanges() {
        apply(register("n1", svc("web", "web-1")));
        ApplyResult r = apply(register("n1", svc("web", "web-1"), check("c", "ghost", HealthStatus.HEALTH_STATUS_PASSING)));
        var rejected = assertInstanceOf(ApplyResult.Rejected.class, r);
        assertTrue(rejected.reason().getMessage().startsWith("checks[0].service_id:"), rejected.reason().getMessage());
        assertTrue(queries.node("n1").value().get().getChecksList().isEmpty());
    }

    @Test
    void deregisteringANodeRemovesItsServicesAndChecks() {
        apply(register("n1", svc("web", "web-1"), check("c1", "web-1", HealthStatus.HEALTH_STATUS_PASSING)));
        apply(register("n1", svc("api", "api-1")));
        apply(Command.newBuilder().setCatalogDeregister(CatalogDeregisterRequest.newBuilder().setNode("n1")).build());
        assertTrue(queries.node("n1").value().isEmpty());
        assertTrue(queries.services().value().isEmpty());
        assertTrue(queries.serviceEntries("web", ServiceFilter.ALL, true).value().isEmpty());
        assertEquals(3, queries.serviceEntries("web", ServiceFilter.ALL, true).index(),
                "the index of a vanished service is that of its removal, so blockers wake");
    }

    @Test
    void serviceListUnionsTagsAndCounts() {
        apply(register("n1", svc("web", "web-1", "a", "b")));
        apply(register("n2", svc("web", "web-2", "b", "c")));
        apply(register("n2", svc("db", "db-1")));
        var list = queries.services().value();
        assertEquals("db", list.get(0).getName());
        assertEquals(List.of("a", "b", "c"), list.get(1).getTagsList());
        assertEquals(2, list.get(1).getInstances());
    }

    @Test
    void kvPutCasDeleteAndIndexes() {
        apply(put("a/1", "x"));
        apply(put("a/2", "y"));
        apply(put("b", "z"));
        assertEquals(2, queries.kvList("a/", false, "").index());
        assertEquals(3, queries.kvGet("b").index());

        KvPut casCreate = KvPut.newBuilder().setKey("a/1").setValue(ByteString.copyFromUtf8("w")).setCas(0).build();
        assertEquals(new ApplyResult.Conditional(false), apply(Command.newBuilder().setKvPut(casCreate).build()));
        KvPut casOk = KvPut.newBuilder().setKey("a/1").setValue(ByteString.copyFromUtf8("w")).setCas(1).build();
        assertEquals(new ApplyResult.Conditional(true), apply(Command.newBuilder().setKvPut(casOk).build()));
        var entry = queries.kvGet("a/1").value().get();
        assertEquals(1, entry.getCreateIndex());
        assertEquals(5, entry.getModifyIndex());

        KvDelete casDelete = KvDelete.newBuilder().setKey("a/1").setCas(1).build();
        assertEquals(new ApplyResult.Conditional(false), apply(Command.newBuilder().setKvDelete(casDelete).build()));
        apply(Command.newBuilder().setKvDelete(KvDelete.newBuilder().setKey("a/2")).build());
        assertEquals(7, queries.kvList("a/", false, "").index(), "a delete raises the prefix index (tombstone)");
        assertEquals(7, queries.kvGet("a/2").index());
        assertFalse(queries.kvGet("a/2").value().isPresent());

        apply(Command.newBuilder().setKvDelete(KvDelete.newBuilder().setKey("a/").setRecurse(true)).build());
        assertTrue(queries.kvList("a/", false, "").value().getEntriesList().isEmpty());
        assertEquals(8, queries.kvList("a/", false, "").index());
        assertEquals(1, queries.kvList("", false, "").value().getEntriesCount());
    }

    @Test
    void keysRollUpAtTheSeparator() {
        for (String k : List.of("app/a/1", "app/a/2", "app/b", "app/c/x/y", "apple")) {
            apply(put(k, "v"));
        }
        assertEquals(List.of("app/a/", "app/b", "app/c/"), queries.kvList("app/", true, "/").value().getKeysList());
        assertEquals(List.of("app/", "apple"), queries.kvList("", true, "/").value().getKeysList());
        assertEquals(List.of("app/a/1", "app/a/2", "app/b", "app/c/x/y", "apple"),
                queries.kvList("", true, "").value().getKeysList());
    }

    @Test
    void changesNameOnlyWhatChanged() {
        apply(put("k", "v"));
        assertEquals(List.of("k"), seen.get(0).kvKeys());
        apply(register("n1", svc("web", "web-1")));
        Changes c = seen.get(1);
        assertEquals(java.util.Set.of("web"), c.serviceNames());
        assertEquals(java.util.Set.of(new InstanceKey("n1", "web-1")), c.instancesOf("web"));
        assertTrue(c.serviceListChanged());
        assertTrue(c.nodeListChanged());
        apply(register("n1", svc("api", "web-1")));
        assertEquals(java.util.Set.of("web", "api"), seen.get(2).serviceNames(),
                "renaming an instance touches the old and the new name");
    }
}
