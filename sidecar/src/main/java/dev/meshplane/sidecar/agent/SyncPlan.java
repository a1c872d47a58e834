package dev.meshplane.sidecar.agent;

import dev.meshplane.proto.v1.CatalogDeregisterRequest;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog writes that bring the catalog in line with local state, each with the versions
 * of the records it carries. Removals go first; then each service that is out of sync, or has
 * checks that are, with those checks; then node-level checks. Checks are sent in chunks so that
 * thousands of them (with up to 4 KiB of output each) stay well under the message limit.
 */
record SyncPlan(List<Write> writes) {
    /** Most checks in one catalog write. */
    static final int CHECKS_PER_WRITE = 64;

    sealed interface Write permits Register, Deregister {
        Map<String, Long> serviceVersions();

        Map<String, Long> checkVersions();
    }

    record Register(CatalogRegisterRequest request, Map<String, Long> serviceVersions,
                    Map<String, Long> checkVersions) implements Write {}

    record Deregister(CatalogDeregisterRequest request, Map<String, Long> serviceVersions,
                      Map<String, Long> checkVersions) implements Write {}

    boolean isEmpty() {
        return writes.isEmpty();
    }

    static SyncPlan of(Node self, boolean nodeInSync, TreeMap<String, LocalState.TrackedService> services,
                       TreeMap<String, LocalState.TrackedCheck> checks) {
        List<Write> writes = new ArrayList<>();
        services.forEach((id, t) -> {
            if (t.deleted) {
                writes.add(new Deregister(CatalogDeregisterRequest.newBuilder().setNode(self.getName())
                        .setServiceId(id).build(), Map.of(id, t.version), Map.of()));
            }
        });
        checks.forEach((id, t) -> {
            if (t.deleted) {
                writes.add(new Deregister(CatalogDeregisterRequest.newBuilder().setNode(self.getName())
                        .setCheckId(id).build(), Map.of(), Map.of(id, t.version)));
            }
        });
        Map<String, List<LocalState.TrackedCheck>> stale = new TreeMap<>();
        checks.values().forEach(t -> {
            if (!t.deleted && !t.inSync) {
                stale.computeIfAbsent(t.def.getServiceId(), k -> new ArrayList<>()).add(t);
            }
        });
        services.forEach((id, t) -> {
            if (t.deleted) {
                return;
            }
            List<LocalState.TrackedCheck> its = stale.getOrDefault(id, List.of());
            if (t.inSync && its.isEmpty()) {
                return;
            }
            List<List<LocalState.TrackedCheck>> chunks = chunks(its);
            for (int i = 0; i < chunks.size(); i++) {
                CatalogRegisterRequest.Builder b = CatalogRegisterRequest.newBuilder().setNode(self)
                        .setService(t.service);
                Map<String, Long> checkVersions = new HashMap<>();
                for (LocalState.TrackedCheck c : chunks.get(i)) {
                    b.addChecks(c.check);
                    checkVersions.put(c.def.getId(), c.version);
                }
                // The service is carried by every chunk, but counted as written with the first.
                writes.add(new Register(b.build(), i == 0 ? Map.of(id, t.version) : Map.of(), checkVersions));
            }
        });
        for (List<LocalState.TrackedCheck> chunk : chunks(stale.getOrDefault("", List.of()))) {
            if (chunk.isEmpty()) {
                continue;
            }
            CatalogRegisterRequest.Builder b = CatalogRegisterRequest.newBuilder().setNode(self);
            Map<String, Long> checkVersions = new HashMap<>();
            for (LocalState.TrackedCheck c : chunk) {
                b.addChecks(c.check);
                checkVersions.put(c.def.getId(), c.version);
            }
            writes.add(new Register(b.build(), Map.of(), checkVersions));
        }
        boolean anyRegister = writes.stream().anyMatch(w -> w instanceof Register);
        if (!nodeInSync && !anyRegister) {
            writes.add(new Register(CatalogRegisterRequest.newBuilder().setNode(self).build(), Map.of(), Map.of()));
        }
        return new SyncPlan(writes);
    }

    /** At least one (possibly empty) chunk, so a service without stale checks is still written. */
    private static List<List<LocalState.TrackedCheck>> chunks(List<LocalState.TrackedCheck> all) {
        List<List<LocalState.TrackedCheck>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHECKS_PER_WRITE) {
            out.add(all.subList(i, Math.min(all.size(), i + CHECKS_PER_WRITE)));
        }
        if (out.isEmpty()) {
            out.add(List.of());
        }
        return out;
    }
}
