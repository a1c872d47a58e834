package dev.meshplane.sidecar.agent;

import dev.meshplane.api.Durations;
import dev.meshplane.api.SessionRules;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.checks.CheckListener;
import dev.meshplane.sidecar.checks.LocalHealth;
import dev.meshplane.sidecar.checks.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The agent's services and checks: authoritative for its node. Every record carries whether
 * the catalog has it ("in sync") and a version, so a sync pass can mark exactly what it wrote;
 * removals stay as tombstones until the catalog has dropped them.
 *
 * <p>A check whose status changes goes out at once; one whose output alone changes is written
 * at most every {@code checkUpdateInterval} (Consul's check_update_interval), so output churn
 * costs no Raft writes.
 */
final class LocalState implements CheckListener, LocalHealth {
    static final class TrackedService {
        Service service;
        Source source;
        boolean inSync;
        boolean deleted;
        long version;
        long index;
    }

    static final class TrackedCheck {
        CheckDefinition def;
        Source source;
        Check check;
        boolean inSync;
        boolean deleted;
        long version;
        long index;
        /** When the recorded status became critical (scheduler nanos), or -1. */
        long criticalSinceNanos = -1;
        /** Wall-clock millis of the last report of a TTL check, or 0. */
        long reportedAtMillis;
        Scheduler.Timer deferredOutput;
    }

    private final Node self;
    private final Scheduler scheduler;
    private final Duration checkUpdateInterval;
    private final RandomGenerator random;
    private final TreeMap<String, TrackedService> services = new TreeMap<>();
    private final TreeMap<String, TrackedCheck> checks = new TreeMap<>();
    private long nextVersion;
    /** Whether the catalog is known to hold this node as the agent describes it. */
    private boolean nodeInSync;
    /** Index of the last successful catalog write. */
    private long lastWriteIndex;
    private volatile Runnable onChange = () -> {};
    private volatile Runnable onHealthChange = () -> {};

    LocalState(Node self, Scheduler scheduler, Duration checkUpdateInterval, RandomGenerator random) {
        this.self = self;
        this.scheduler = scheduler;
        this.checkUpdateInterval = checkUpdateInterval;
        this.random = random;
    }

    /** @param onChange asks for a sync; @param onHealthChange tells local alias checks */
    void listen(Runnable onChange, Runnable onHealthChange) {
        this.onChange = onChange;
        this.onHealthChange = onHealthChange;
    }

    Node self() {
        return self;
    }

    // ---- mutations ----

    void putService(Service service, Source source) {
        synchronized (this) {
            TrackedService t = services.computeIfAbsent(service.getId(), id -> new TrackedService());
            t.service = service;
            t.source = source;
            t.deleted = false;
            t.inSync = false;
            t.version = ++nextVersion;
        }
        changed(true);
    }

    /** Removes the service and its checks; false when it is not registered. */
    boolean removeService(String id) {
        synchronized (this) {
            TrackedService t = services.get(id);
            if (t == null || t.deleted) {
                return false;
            }
            markDeleted(t);
            // The catalog drops a service's checks with it: no tombstones needed for them.
            checks.values().removeIf(c -> {
                if (c.def != null && c.def.getServiceId().equals(id)) {
                    cancelDeferred(c);
                    return true;
                }
                return false;
            });
        }
        changed(true);
        return true;
    }

    void putCheck(CheckDefinition def, Source source, HealthStatus status, String output) {
        synchronized (this) {
            TrackedCheck t = checks.computeIfAbsent(def.getId(), id -> new TrackedCheck());
            cancelDeferred(t);
            t.def = def;
            t.source = source;
            t.check = CatalogForm.check(def, status, output);
            t.deleted = false;
            t.inSync = false;
            t.version = ++nextVersion;
            t.criticalSinceNanos = status == HealthStatus.HEALTH_STATUS_CRITICAL ? scheduler.nanoTime() : -1;
        }
        changed(true);
    }

    /** An unchanged re-registration from another source takes the check over (what is persisted follows). */
    synchronized void setCheckSource(String id, Source source) {
        TrackedCheck t = checks.get(id);
        if (t != null && !t.deleted) {
            t.source = source;
        }
    }

    boolean removeCheck(String id) {
        synchronized (this) {
            TrackedCheck t = checks.get(id);
            if (t == null || t.deleted) {
                return false;
            }
            cancelDeferred(t);
            t.deleted = true;
            t.inSync = false;
            t.version = ++nextVersion;
        }
        changed(true);
        return true;
    }

    private void markDeleted(TrackedService t) {
        t.deleted = true;
        t.inSync = false;
        t.version = ++nextVersion;
    }

    @Override
    public void checkUpdated(String checkId, HealthStatus status, String output) {
        boolean statusChanged;
        synchronized (this) {
            TrackedCheck t = checks.get(checkId);
            if (t == null || t.deleted) {
                return;
            }
            if (t.def.hasTtl()) {
                t.reportedAtMillis = scheduler.currentTimeMillis();
            }
            Check current = t.check;
            statusChanged = current.getStatus() != status;
            if (!statusChanged && current.getOutput().equals(output)) {
                return;
            }
            t.check = current.toBuilder().setStatus(status).setOutput(output).build();
            if (statusChanged) {
                cancelDeferred(t);
                t.inSync = false;
                t.version = ++nextVersion;
                if (status != HealthStatus.HEALTH_STATUS_CRITICAL) {
                    t.criticalSinceNanos = -1;
                } else if (t.criticalSinceNanos < 0) {
                    t.criticalSinceNanos = scheduler.nanoTime();
                }
            } else if (checkUpdateInterval.isZero()) {
                t.inSync = false;
                t.version = ++nextVersion;
            } else if (t.inSync && t.deferredOutput == null) {
                deferOutput(checkId, t);
                return;
            } else if (!t.inSync) {
                // A write in flight carries the previous output; without a new version it would mark
                // the check in sync and this output would wait for the next status change.
                t.version = ++nextVersion;
            } else {
                return;
            }
        }
        changed(statusChanged);
    }

    /** Consul staggers the deferred write by up to a quarter of the interval more. */
    private void deferOutput(String checkId, TrackedCheck t) {
        long base = checkUpdateInterval.toNanos();
        Duration delay = Duration.ofNanos(base + random.nextLong(Math.max(1, base / 4)));
        t.deferredOutput = scheduler.schedule(delay, () -> {
            synchronized (this) {
                TrackedCheck now = checks.get(checkId);
                if (now != t || t.deleted) {
                    return;
                }
                t.deferredOutput = null;
                t.inSync = false;
                t.version = ++nextVersion;
            }
            onChange.run();
        });
    }

    private static void cancelDeferred(TrackedCheck t) {
        if (t.deferredOutput != null) {
            t.deferredOutput.cancel();
            t.deferredOutput = null;
        }
    }

    private void changed(boolean health) {
        onChange.run();
        if (health) {
            onHealthChange.run();
        }
    }

    // ---- queries ----

    @Override
    public synchronized Optional<HealthStatus> serviceHealth(String serviceId, String excludingCheckId) {
        TrackedService s = services.get(serviceId);
        if (s == null || s.deleted) {
            return Optional.empty();
        }
        HealthStatus worst = HealthStatus.HEALTH_STATUS_PASSING;
        for (TrackedCheck c : checks.values()) {
            if (c.deleted || c.def.getId().equals(excludingCheckId)) {
                continue;
            }
            String sid = c.def.getServiceId();
            if (sid.isEmpty() || sid.equals(serviceId)) {
                worst = worse(worst, c.check.getStatus());
            }
        }
        return Optional.of(worst);
    }

    private static HealthStatus worse(HealthStatus a, HealthStatus b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(HealthStatus s) {
        return switch (s) {
            case HEALTH_STATUS_PASSING -> 0;
            case HEALTH_STATUS_WARNING -> 1;
            case HEALTH_STATUS_MAINTENANCE -> 3;
            default -> 2;
        };
    }

    synchronized Optional<Service> service(String id) {
        TrackedService t = services.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(t.service);
    }

    synchronized Optional<Source> serviceSource(String id) {
        TrackedService t = services.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(t.source);
    }

    synchronized Optional<CheckDefinition> checkDefinition(String id) {
        TrackedCheck t = checks.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(t.def);
    }

    synchronized Optional<Source> checkSource(String id) {
        TrackedCheck t = checks.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(t.source);
    }

    synchronized Optional<Check> checkState(String id) {
        TrackedCheck t = checks.get(id);
        return t == null || t.deleted ? Optional.empty() : Optional.of(t.check);
    }

    /** IDs of the live checks of a service. */
    synchronized List<String> checksOf(String serviceId) {
        List<String> ids = new ArrayList<>();
        checks.forEach((id, c) -> {
            if (!c.deleted && c.def.getServiceId().equals(serviceId)) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Sorted by ID. */
    synchronized List<Service> services() {
        return services.values().stream().filter(t -> !t.deleted).map(t -> t.service).toList();
    }

    /** Sorted by ID. */
    synchronized List<LocalCheck> checks() {
        return checks.values().stream().filter(t -> !t.deleted).map(t -> LocalCheck.newBuilder()
                .setDefinition(t.def).setState(t.check).setSynced(t.inSync && t.deferredOutput == null)
                .setSource(t.source.label()).build())
                .toList();
    }

    /** The catalog index at which a service was last written, or 0 when the catalog does not have it yet. */
    synchronized long syncedIndex(String serviceId) {
        TrackedService t = services.get(serviceId);
        return t != null && t.inSync ? Math.max(1, t.index) : 0;
    }

    synchronized long syncedCheckIndex(String checkId) {
        TrackedCheck t = checks.get(checkId);
        return t != null && t.inSync ? Math.max(1, t.index) : 0;
    }

    synchronized long lastWriteIndex() {
        return lastWriteIndex;
    }

    /** Whether a removal has reached the catalog (the tombstone is gone). */
    synchronized boolean serviceRemovalSynced(String id) {
        TrackedService t = services.get(id);
        return t == null || !t.deleted;
    }

    synchronized boolean checkRemovalSynced(String id) {
        TrackedCheck t = checks.get(id);
        return t == null || !t.deleted;
    }

    /** Services with a check that has been critical for its deregister_critical_service_after. */
    synchronized Set<String> servicesToReap() {
        long now = scheduler.nanoTime();
        Set<String> reap = new HashSet<>();
        for (TrackedCheck c : checks.values()) {
            if (c.deleted || c.criticalSinceNanos < 0 || !c.def.hasDeregisterCriticalServiceAfter()) {
                continue;
            }
            Duration after = Durations.toJava(c.def.getDeregisterCriticalServiceAfter());
            if (!after.isZero() && now - c.criticalSinceNanos >= after.toNanos()) {
                reap.add(c.def.getServiceId());
            }
        }
        return reap;
    }

    /** For persistence: the wall-clock time a TTL check's last report expires, or 0. */
    synchronized long ttlExpiresAtMillis(String checkId) {
        TrackedCheck t = checks.get(checkId);
        if (t == null || t.reportedAtMillis == 0 || !t.def.hasTtl()) {
            return 0;
        }
        return t.reportedAtMillis + Durations.toJava(t.def.getTtl().getTtl()).toMillis();
    }

    // ---- sync support ----

    /** What one sync pass must write, with the versions it writes. */
    synchronized SyncPlan plan() {
        return SyncPlan.of(self, nodeInSync, services, checks);
    }

    /** Records that a write of the plan's items succeeded at {@code index}. */
    synchronized void written(SyncPlan.Write write, long index) {
        if (write instanceof SyncPlan.Register) {
            nodeInSync = true;
        }
        lastWriteIndex = Math.max(lastWriteIndex, index);
        Map<String, Long> serviceVersions = write.serviceVersions();
        Map<String, Long> checkVersions = write.checkVersions();
        serviceVersions.forEach((id, version) -> {
            TrackedService t = services.get(id);
            if (t != null && t.version == version) {
                if (t.deleted) {
                    services.remove(id);
                } else {
                    t.inSync = true;
                    t.index = index;
                }
            }
        });
        checkVersions.forEach((id, version) -> {
            TrackedCheck t = checks.get(id);
            if (t != null && t.version == version) {
                if (t.deleted) {
                    checks.remove(id);
                } else {
                    t.inSync = true;
                    t.index = index;
                }
            }
        });
    }

    /**
     * Full sync: compares the catalog's view of this node with local state. What the catalog
     * lacks or has differently is marked out of sync; what it has and the agent does not gets a
     * tombstone so the next pass removes it. Output differences alone are left to the deferred
     * output writes. The membership check belongs to gossip, not to this agent's records.
     */
    synchronized void reconcile(GetNodeResponse view) {
        boolean nodeOk = view.hasNode() && CatalogForm.comparable(view.getNode()).equals(self);
        nodeInSync = nodeOk;
        Map<String, Service> remoteServices = new TreeMap<>();
        view.getServicesList().forEach(s -> remoteServices.put(s.getId(), CatalogForm.comparable(s)));
        Map<String, Check> remoteChecks = new TreeMap<>();
        view.getChecksList().forEach(c -> remoteChecks.put(c.getCheckId(), CatalogForm.comparable(c)));

        for (var it = services.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            TrackedService t = e.getValue();
            Service remote = remoteServices.remove(e.getKey());
            if (t.deleted) {
                if (remote == null) {
                    it.remove();
                }
                continue;
            }
            t.inSync = nodeOk && t.service.equals(remote);
        }
        remoteServices.keySet().forEach(id -> {
            TrackedService t = new TrackedService();
            t.deleted = true;
            t.version = ++nextVersion;
            services.put(id, t);
        });

        remoteChecks.remove(SessionRules.SERF_HEALTH);
        for (var it = checks.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            TrackedCheck t = e.getValue();
            Check remote = remoteChecks.remove(e.getKey());
            if (t.deleted) {
                if (remote == null) {
                    it.remove();
                }
                continue;
            }
            if (remote != null && !checkUpdateInterval.isZero()) {
                remote = remote.toBuilder().setOutput(t.check.getOutput()).build();
            }
            t.inSync = nodeOk && t.check.equals(remote);
        }
        remoteChecks.keySet().forEach(id -> {
            // A check whose service the catalog is also asked to drop goes with it.
            TrackedCheck t = new TrackedCheck();
            t.deleted = true;
            t.version = ++nextVersion;
            checks.put(id, t);
        });
    }
}
