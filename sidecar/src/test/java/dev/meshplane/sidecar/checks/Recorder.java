package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.HealthStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** A check listener that keeps every report, and lets a test wait for one. */
final class Recorder implements CheckListener {
    record Report(String checkId, HealthStatus status, String output) {}

    private final List<Report> reports = new ArrayList<>();
    private final Map<String, Report> latest = new ConcurrentHashMap<>();

    @Override
    public synchronized void checkUpdated(String checkId, HealthStatus status, String output) {
        Report r = new Report(checkId, status, output);
        reports.add(r);
        latest.put(checkId, r);
        notifyAll();
    }

    synchronized List<Report> all() {
        return List.copyOf(reports);
    }

    Report latest(String checkId) {
        return latest.get(checkId);
    }

    int distinctChecks() {
        return latest.size();
    }

    /** Waits for the check's latest report to satisfy {@code p}; returns it, or fails with the last one seen. */
    synchronized Report await(String checkId, Predicate<Report> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Report r = latest.get(checkId);
            if (r != null && p.test(r)) {
                return r;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("check " + checkId + " did not reach the expected state within " + timeout
                        + "; last report: " + r);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    Report awaitStatus(String checkId, HealthStatus status, Duration timeout) throws InterruptedException {
        return await(checkId, r -> r.status() == status, timeout);
    }
}
