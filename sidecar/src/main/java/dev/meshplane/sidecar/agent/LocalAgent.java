package dev.meshplane.sidecar.agent;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.CheckRules;
import dev.meshplane.api.NameRules;
import dev.meshplane.api.ServiceRules;
import dev.meshplane.proto.internal.v1.AgentState;
import dev.meshplane.proto.internal.v1.TtlCheckState;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.LocalCheck;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.ReloadResponse;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.sidecar.checks.CheckRunner;
import dev.meshplane.sidecar.checks.Scheduler;
import dev.meshplane.sidecar.config.ConfigDir;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * The agent's local services and checks: what the Agent API, the config dir and the data dir
 * feed, what the check runner runs and what anti-entropy keeps in the catalog. Mutations are
 * serialized; each is validated completely (including what starting a check reveals) before
 * anything changes, and persisted before it is acknowledged.
 */
public final class LocalAgent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalAgent.class.getName());

    private final LocalAgentConfig config;
    private final Scheduler scheduler;
    private final LocalState state;
    private final CheckRunner runner;
    private final AntiEntropy antiEntropy;
    private final Persister persister;
    private final ConfigSet configSet;
    /** TTL states read from the data dir, consumed as their checks are registered at start. */
    private final Map<String, TtlCheckState> restoredTtl = new HashMap<>();
    private Scheduler.Timer reaper;
    private boolean closed;

    /** What an API call changed, for its answer. */
    public record Change(String id, long index, boolean synced) {}

    public LocalAgent(LocalAgentConfig config, Node self, CatalogGrpc.CatalogBlockingStub catalog, Scheduler scheduler) {
        this(config, self, catalog, scheduler, RandomGenerator.getDefault());
    }

    LocalAgent(LocalAgentConfig config, Node self, CatalogGrpc.CatalogBlockingStub catalog, Scheduler scheduler,
               RandomGenerator random) {
        this.config = config;
        this.scheduler = scheduler;
        this.state = new LocalState(self, scheduler, config.sync().checkUpdateInterval(), random);
        this.runner = new CheckRunner(config.checks(), scheduler, state, state, self.getName(), catalog);
        this.antiEntropy = new AntiEntropy(state, catalog, config.sync(), random);
        this.persister = new Persister(config.dataDir() == null ? null : new StateFile(config.dataDir()),
                this::snapshot);
        this.configSet = new ConfigSet(this, config.configDir() == null ? null : new ConfigDir(config.configDir()));
        state.listen(antiEntropy::trigger, runner::localHealthChanged);
    }

    /** Restores the data dir, reads the config dir (a bad file fails the start), starts syncing and reaping. */
    public synchronized void start() {
        if (config.dataDir() != null) {
            new StateFile(config.dataDir()).load().ifPresent(this::restore);
        }
        configSet.reload(true);
        restoredTtl.clear();
        antiEntropy.start();
        scheduleReap();
    }

    // ---- the Agent API ----

    /** Registers (or replaces) a service with its checks. */
    public Change registerService(Service given, List<CheckDefinition> checks, boolean replaceExistingChecks,
                                  Source source) {
        String id;
        List<String> checkIds;
        synchronized (this) {
            Service service = ServiceRules.normalize("service", given);
            List<CheckDefinition> defs = ServiceChecks.normalize("checks", service, checks, config.checks());
            List<CheckRunner.Prepared> prepared = prepareAll(defs, List.of());
            state.putService(service, source);
            for (int i = 0; i < defs.size(); i++) {
                if (prepared.get(i) == null) {
                    state.setCheckSource(defs.get(i).getId(), source);
                } else {
                    applyCheck(prepared.get(i), source);
                }
            }
            id = service.getId();
            checkIds = defs.stream().map(CheckDefinition::getId).toList();
            if (replaceExistingChecks) {
                state.checksOf(id).stream().filter(c -> !checkIds.contains(c) && !c.startsWith(Maintenance.SERVICE_PREFIX))
                        .forEach(this::dropCheck);
            }
            persistIf(source);
        }
        awaitSync();
        long index = state.syncedIndex(id);
        boolean synced = index > 0;
        for (String c : checkIds) {
            long ci = state.syncedCheckIndex(c);
            synced &= ci > 0;
            index = Math.max(index, ci);
        }
        return new Change(id, synced ? index : 0, synced);
    }

    public Change deregisterService(String serviceId) {
        NameRules.checkId("service_id", serviceId);
        synchronized (this) {
            Optional<Source> source = state.serviceSource(serviceId);
            if (source.isEmpty()) {
                throw ApiException.notFound("service_id: \"" + serviceId + "\" is not registered with this agent");
            }
            removeService(serviceId);
            persistIf(source.get());
        }
        awaitSync();
        boolean synced = state.serviceRemovalSynced(serviceId);
        return new Change(serviceId, synced ? Math.max(1, state.lastWriteIndex()) : 0, synced);
    }

    public Change registerCheck(CheckDefinition given, Source source) {
        String id;
        synchronized (this) {
            CheckDefinition def = runner.normalize("check", given);
            if (!def.getServiceId().isEmpty() && state.service(def.getServiceId()).isEmpty()) {
                throw ApiException.invalidArgument("check.service_id", "\"" + def.getServiceId()
                        + "\" is not registered with this agent");
            }
            CheckRunner.Prepared p = prepareAll(List.of(def), List.of()).get(0);
            if (p == null) {
                state.setCheckSource(def.getId(), source);
            } else {
                applyCheck(p, source);
            }
            persistIf(source);
            id = def.getId();
        }
        awaitSync();
        return new Change(id, state.syncedCheckIndex(id), state.syncedCheckIndex(id) > 0);
    }

    public Change deregisterCheck(String checkId) {
        NameRules.checkId("check_id", checkId);
        synchronized (this) {
            Optional<Source> source = state.checkSource(checkId);
            if (source.isEmpty()) {
                throw ApiException.notFound("check_id: \"" + checkId + "\" is not registered with this agent");
            }
            dropCheck(checkId);
            persistIf(source.get());
        }
        awaitSync();
        boolean synced = state.checkRemovalSynced(checkId);
        return new Change(checkId, synced ? Math.max(1, state.lastWriteIndex()) : 0, synced);
    }

    /** Records a TTL check's state; persisted so that it survives a restart. */
    public void updateTtl(String checkId, HealthStatus status, String output) {
        NameRules.checkId("check_id", checkId);
        if (status != HealthStatus.HEALTH_STATUS_PASSING && status != HealthStatus.HEALTH_STATUS_WARNING
                && status != HealthStatus.HEALTH_STATUS_CRITICAL) {
            throw ApiException.invalidArgument("status", status + " is not PASSING, WARNING or CRITICAL");
        }
        if (output.length() > CheckRules.MAX_OUTPUT_LENGTH) {
            throw ApiException.invalidArgument("output", "is " + output.length() + " characters; the limit is "
                    + CheckRules.MAX_OUTPUT_LENGTH);
        }
        synchronized (this) {
            runner.updateTtl(checkId, status, output);
        }
        persister.persist();
    }

    /** Puts the node (empty service ID) or a service into maintenance, or takes it out. */
    public Change setMaintenance(String serviceId, boolean enable, String reason) {
        if (!serviceId.isEmpty()) {
            NameRules.checkId("service_id", serviceId);
        }
        String id = Maintenance.checkId(serviceId);
        synchronized (this) {
            if (!serviceId.isEmpty() && state.service(serviceId).isEmpty()) {
                throw ApiException.notFound("service_id: \"" + serviceId + "\" is not registered with this agent");
            }
            if (enable) {
                CheckDefinition def = Maintenance.definition(serviceId, reason);
                if (!state.checkDefinition(id).equals(Optional.of(def))) {
                    state.putCheck(def, Source.API, HealthStatus.HEALTH_STATUS_MAINTENANCE, "");
                }
            } else if (state.checkSource(id).isPresent()) {
                state.removeCheck(id);
            }
            persister.persist();
        }
        awaitSync();
        boolean synced = enable ? state.syncedCheckIndex(id) > 0 : state.checkRemovalSynced(id);
        long index = enable ? state.syncedCheckIndex(id) : Math.max(1, state.lastWriteIndex());
        return new Change(id, synced ? index : 0, synced);
    }

    /** Re-reads the config dir: all files apply, or none and the running configuration stays. */
    public synchronized ReloadResponse reload() {
        if (config.configDir() == null) {
            throw ApiException.failedPrecondition("reload: this agent was started without -config-dir");
        }
        ReloadResponse r = configSet.reload(false);
        persister.persist();
        return r;
    }

    public List<Service> services() {
        return state.services();
    }

    public List<LocalCheck> checks() {
        return state.checks();
    }

    public Optional<Check> check(String id) {
        return state.checkState(id);
    }

    /**
     * Called before the sync retries after the servers could not be reached. A gRPC channel backs
     * off reconnecting for up to two minutes; resetting it here lets a returning server be seen at
     * the next retry.
     */
    public void beforeSyncRetry(Runnable r) {
        antiEntropy.beforeRetry(r);
    }

    /** Asks for a full comparison with the catalog and waits for it (tests, diagnostics). */
    public boolean syncFullNow(Duration timeout) {
        return await(antiEntropy.syncFull(), timeout);
    }

    public boolean lastSyncOk() {
        return antiEntropy.lastPassOk();
    }

    public CheckRunner runner() {
        return runner;
    }

    // ---- shared with ConfigSet ----

    List<CheckRunner.Prepared> prepareAll(List<CheckDefinition> defs, List<String> origins) {
        List<CheckRunner.Prepared> prepared = new ArrayList<>();
        try {
            for (int i = 0; i < defs.size(); i++) {
                CheckDefinition def = defs.get(i);
                Optional<CheckDefinition> current = state.checkDefinition(def.getId());
                if (current.isPresent() && current.get().equals(def) && runner.isRunning(def.getId())) {
                    prepared.add(null); // unchanged: keeps running with its state
                    continue;
                }
                String path = origins.isEmpty() ? "check" : origins.get(i);
                prepared.add(runner.prepare(path, def));
            }
        } catch (RuntimeException e) {
            prepared.stream().filter(p -> p != null).forEach(CheckRunner.Prepared::discard);
            throw e;
        }
        return prepared;
    }

    /** Starts a prepared check (null = unchanged, nothing to do) with its initial or restored state. */
    void applyCheck(CheckRunner.Prepared p, Source source) {
        if (p == null) {
            return;
        }
        CheckDefinition def = p.definition();
        HealthStatus status = def.getInitialStatus();
        String output = "";
        TtlCheckState saved = restoredTtl.remove(def.getId());
        if (saved != null && def.hasTtl() && saved.getExpiresUnixMillis() > scheduler.currentTimeMillis()) {
            status = saved.getStatus();
            output = saved.getOutput();
        }
        state.putCheck(def, source, status, output);
        runner.start(p);
    }

    void dropCheck(String checkId) {
        runner.stop(checkId);
        state.removeCheck(checkId);
    }

    void removeService(String serviceId) {
        state.checksOf(serviceId).forEach(runner::stop);
        state.removeService(serviceId);
    }

    LocalState state() {
        return state;
    }

    LocalAgentConfig config() {
        return config;
    }

    // ---- internals ----

    private void persistIf(Source source) {
        if (source == Source.API) {
            persister.persist();
        }
    }

    /** Waits (bounded) for a sync pass that includes the caller's change. */
    private void awaitSync() {
        await(antiEntropy.syncChanges(), config.sync().writeTimeout());
    }

    private static boolean await(CompletableFuture<AntiEntropy.Outcome> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS).ok();
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void restore(AgentState saved) {
        saved.getTtlStatesList().forEach(t -> restoredTtl.put(t.getCheckId(), t));
        for (Service s : saved.getServicesList()) {
            try {
                state.putService(ServiceRules.normalize("service", s), Source.API);
            } catch (ApiException e) {
                LOG.warning("not restoring service " + s.getId() + " from the data dir: " + e.getMessage());
            }
        }
        for (CheckDefinition def : saved.getChecksList()) {
            if (Maintenance.isMaintenance(def)) {
                if (def.getServiceId().isEmpty() || state.service(def.getServiceId()).isPresent()) {
                    state.putCheck(def, Source.API, HealthStatus.HEALTH_STATUS_MAINTENANCE, "");
                }
                continue;
            }
            try {
                CheckDefinition normalized = runner.normalize("check", def);
                if (!normalized.getServiceId().isEmpty() && state.service(normalized.getServiceId()).isEmpty()) {
                    continue;
                }
                applyCheck(runner.prepare("check", normalized), Source.API);
            } catch (ApiException e) {
                LOG.warning("not restoring check " + def.getId() + " from the data dir: " + e.getMessage());
            }
        }
        LOG.info("restored " + saved.getServicesCount() + " services and " + saved.getChecksCount()
                + " checks from " + config.dataDir());
    }

    /** What goes to disk: API-registered services and checks, and every TTL check's last report. */
    private AgentState snapshot() {
        AgentState.Builder b = AgentState.newBuilder();
        for (Service s : state.services()) {
            if (state.serviceSource(s.getId()).orElse(Source.CONFIG) == Source.API) {
                b.addServices(s);
            }
        }
        for (LocalCheck c : state.checks()) {
            String id = c.getDefinition().getId();
            if (c.getSource().equals(Source.API.label())) {
                b.addChecks(c.getDefinition());
            }
            long expires = state.ttlExpiresAtMillis(id);
            if (expires > 0) {
                b.addTtlStates(TtlCheckState.newBuilder().setCheckId(id).setStatus(c.getState().getStatus())
                        .setOutput(c.getState().getOutput()).setExpiresUnixMillis(expires));
            }
        }
        return b.build();
    }

    private void scheduleReap() {
        reaper = scheduler.schedule(config.reapInterval(), () -> {
            Thread.ofVirtual().name("reaper").start(() -> {
                reap();
                synchronized (this) {
                    if (!closed) {
                        scheduleReap();
                    }
                }
            });
        });
    }

    /** Removes services whose check has been critical for its deregister_critical_service_after. */
    void reap() {
        boolean any = false;
        synchronized (this) {
            for (String id : state.servicesToReap()) {
                Optional<Source> source = state.serviceSource(id);
                if (source.isEmpty()) {
                    continue;
                }
                LOG.warning("deregistering service " + id + ": a check has been critical for longer than its "
                        + "deregister_critical_service_after");
                removeService(id);
                any |= source.get() == Source.API;
            }
        }
        if (any) {
            persister.persist();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (reaper != null) {
                reaper.cancel();
            }
        }
        antiEntropy.close();
        runner.close();
    }
}
