package dev.meshplane.sidecar.checks;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

/**
 * A check run on a timer: at a fixed rate from a random first offset within one interval (so a
 * thousand checks registered at once do not fire together). Each run is a task on the run
 * executor (a new virtual thread in production), so a target that hangs holds only its own
 * run; while it is still going the check's next run is skipped rather than stacked. The runner
 * enforces the timeout even on a probe that overruns its own: after timeout + grace the run is
 * recorded critical and its thread interrupted.
 */
final class PolledCheck extends RunningCheck {
    private static final Logger LOG = Logger.getLogger(PolledCheck.class.getName());

    private final Probe probe;
    private final Thresholds thresholds;
    private final Scheduler scheduler;
    private final Executor runs;
    private final CheckListener listener;
    private final RunnerStats stats;
    private final long intervalNanos;
    private final Duration timeout;
    private final Duration grace;
    private final RandomGenerator random;
    private Scheduler.Timer timer;
    private long dueNanos;
    private boolean inFlight;
    private boolean stopped;
    private long completedRuns;

    PolledCheck(CheckDefinition def, Probe probe, Scheduler scheduler, Executor runs, CheckListener listener,
                RunnerStats stats, Duration grace, RandomGenerator random) {
        super(def);
        this.probe = probe;
        this.thresholds = new Thresholds(def.getSuccessBeforePassing(), def.getFailuresBeforeWarning(),
                def.getFailuresBeforeCritical());
        this.scheduler = scheduler;
        this.runs = runs;
        this.listener = listener;
        this.stats = stats;
        this.intervalNanos = Durations.toJava(def.getInterval()).toNanos();
        this.timeout = Durations.toJava(def.getTimeout());
        this.grace = grace;
        this.random = random;
    }

    @Override
    synchronized void begin() {
        long stagger = intervalNanos <= 1 ? 0 : random.nextLong(intervalNanos);
        dueNanos = scheduler.nanoTime() + stagger;
        timer = scheduler.schedule(Duration.ofNanos(stagger), this::fire);
    }

    /** On the scheduler thread: schedule the next slot, then hand this run off. */
    private void fire() {
        long due;
        synchronized (this) {
            if (stopped) {
                return;
            }
            due = dueNanos;
            long now = scheduler.nanoTime();
            dueNanos += intervalNanos;
            if (dueNanos <= now) {
                // Far behind (a stalled machine): skip the missed slots instead of bursting.
                dueNanos += ((now - dueNanos) / intervalNanos + 1) * intervalNanos;
            }
            timer = scheduler.schedule(Duration.ofNanos(dueNanos - now), this::fire);
            if (inFlight) {
                stats.recordSkippedBusy();
                return;
            }
            inFlight = true;
        }
        runs.execute(() -> runOnce(due));
    }

    private void runOnce(long due) {
        stats.recordStarted(scheduler.nanoTime() - due);
        AtomicBoolean done = new AtomicBoolean();
        Thread me = Thread.currentThread();
        Scheduler.Timer watchdog = scheduler.schedule(timeout.plus(grace), () -> {
            if (done.compareAndSet(false, true)) {
                stats.recordTimedOut();
                me.interrupt();
                complete(CheckResult.critical("the check did not finish within its timeout of "
                        + Outputs.duration(timeout) + " and was stopped"));
            }
        });
        CheckResult result;
        try {
            result = probe.run(timeout);
        } catch (InterruptedException e) {
            result = CheckResult.critical("the check was interrupted");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "check " + def.getId() + " failed unexpectedly", e);
            result = CheckResult.critical("the check failed: " + e);
        }
        watchdog.cancel();
        if (done.compareAndSet(false, true)) {
            complete(result);
        }
        Thread.interrupted();
    }

    private void complete(CheckResult result) {
        HealthStatus recorded;
        synchronized (this) {
            inFlight = false;
            if (stopped) {
                return;
            }
            completedRuns++;
            recorded = thresholds.observe(result.status());
        }
        stats.recordCompleted();
        if (recorded != null) {
            listener.checkUpdated(def.getId(), recorded, result.output());
        }
    }

    synchronized long completedRuns() {
        return completedRuns;
    }

    @Override
    void end() {
        synchronized (this) {
            stopped = true;
            if (timer != null) {
                timer.cancel();
            }
        }
        probe.close();
    }
}
