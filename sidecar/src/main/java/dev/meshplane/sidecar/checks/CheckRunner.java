package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Runs this agent's checks: polled ones (grpc, http, tcp, script) on the scheduler with each
 * run on its own virtual thread, TTL checks on timers, alias checks on local changes or a
 * blocking query. Results pass through each check's thresholds and go to the listener.
 *
 * <p>Registration is two steps so that bad input fails before anything changes:
 * {@link #prepare} validates what only running can reveal (unreadable TLS files, headers the
 * HTTP client refuses) and {@link #start} starts it, replacing a running check of the same ID.
 */
public final class CheckRunner implements AutoCloseable {
    private final ChecksConfig config;
    private final Scheduler scheduler;
    private final Executor runs;
    private final ExecutorService ownedRuns;
    private final ProbeFactory probes;
    private final CheckListener listener;
    private final LocalHealth local;
    private final String nodeName;
    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final RandomGenerator random;
    private final RunnerStats stats = new RunnerStats();
    private final Map<String, RunningCheck> running = new ConcurrentHashMap<>();
    private final AtomicBoolean aliasPassPending = new AtomicBoolean();

    /** A check ready to start: its probe (if any) is built. */
    public static final class Prepared {
        private final RunningCheck check;

        private Prepared(RunningCheck check) {
            this.check = check;
        }

        public CheckDefinition definition() {
            return check.def;
        }

        /** Releases what preparing acquired, when the check will not be started after all. */
        public void discard() {
            check.end();
        }
    }

    /**
     * @param catalog for alias checks of instances on other nodes
     */
    public CheckRunner(ChecksConfig config, Scheduler scheduler, CheckListener listener, LocalHealth local,
                       String nodeName, CatalogGrpc.CatalogBlockingStub catalog) {
        this(config, scheduler, null, new Probes(), listener, local, nodeName, catalog, RandomGenerator.getDefault());
    }

    /** @param runs where runs execute; null for a new virtual thread per run */
    CheckRunner(ChecksConfig config, Scheduler scheduler, Executor runs, ProbeFactory probes, CheckListener listener,
                LocalHealth local, String nodeName, CatalogGrpc.CatalogBlockingStub catalog, RandomGenerator random) {
        this.config = config;
        this.scheduler = scheduler;
        this.ownedRuns = runs == null ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("check-", 0).factory())
                : null;
        this.runs = runs == null ? ownedRuns : runs;
        this.probes = probes;
        this.listener = listener;
        this.local = local;
        this.nodeName = nodeName;
        this.catalog = catalog;
        this.random = random;
    }

    public ChecksConfig config() {
        return config;
    }

    /** Normalizes and validates a definition (see {@link CheckDefinitions#normalize}). */
    public CheckDefinition normalize(String path, CheckDefinition def) {
        return CheckDefinitions.normalize(path, def, config);
    }

    /** @param def a normalized definition */
    public Prepared prepare(String path, CheckDefinition def) {
        RunningCheck check = switch (def.getTargetCase()) {
            case GRPC, HTTP, TCP, SCRIPT -> new PolledCheck(def, probes.create(path, def), scheduler, runs,
                    listener, stats, config.timeoutGrace(), random);
            case TTL -> new TtlCheck(def, scheduler, listener);
            case ALIAS -> def.getAlias().getNode().isEmpty() || def.getAlias().getNode().equals(nodeName)
                    ? new LocalAliasCheck(def, local, listener)
                    : new RemoteAliasCheck(def, catalog, listener);
            case TARGET_NOT_SET -> throw ApiException.invalidArgument(path, "no check target");
        };
        return new Prepared(check);
    }

    public void start(Prepared prepared) {
        RunningCheck previous = running.put(prepared.check.def.getId(), prepared.check);
        if (previous != null) {
            previous.end();
        }
        prepared.check.begin();
    }

    public void stop(String checkId) {
        RunningCheck c = running.remove(checkId);
        if (c != null) {
            c.end();
        }
    }

    /** Records a TTL check's state and restarts its TTL. */
    public void updateTtl(String checkId, HealthStatus status, String output) {
        RunningCheck c = running.get(checkId);
        if (c == null) {
            throw ApiException.notFound("check_id: \"" + checkId + "\" is not registered with this agent");
        }
        if (!(c instanceof TtlCheck ttl)) {
            throw ApiException.failedPrecondition("check_id: \"" + checkId + "\" is a " + CheckDefinitions.type(c.def)
                    + " check; only TTL checks take updates");
        }
        ttl.report(status, output);
    }

    /** Re-evaluates local alias checks soon, once however many changes arrive meanwhile. */
    public void localHealthChanged() {
        if (aliasPassPending.compareAndSet(false, true)) {
            scheduler.schedule(Duration.ZERO, () -> {
                aliasPassPending.set(false);
                for (RunningCheck c : List.copyOf(running.values())) {
                    if (c instanceof LocalAliasCheck alias) {
                        alias.evaluate();
                    }
                }
            });
        }
    }

    public boolean isRunning(String checkId) {
        return running.containsKey(checkId);
    }

    /** Completed runs of a polled check (0 for other kinds or unknown IDs). */
    public long completedRuns(String checkId) {
        return running.get(checkId) instanceof PolledCheck p ? p.completedRuns() : 0;
    }

    public int size() {
        return running.size();
    }

    public RunnerStats stats() {
        return stats;
    }

    @Override
    public void close() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id);
        }
        probes.close();
        if (ownedRuns != null) {
            ownedRuns.shutdownNow();
        }
    }
}
