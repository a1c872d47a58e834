package dev.meshplane.sidecar.checks;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import java.time.Duration;

/** A check whose state is reported through the API; critical when no report arrives within the TTL. */
final class TtlCheck extends RunningCheck {
    private final Scheduler scheduler;
    private final CheckListener listener;
    private final Duration ttl;
    private Scheduler.Timer expiry;
    private boolean stopped;

    TtlCheck(CheckDefinition def, Scheduler scheduler, CheckListener listener) {
        super(def);
        this.scheduler = scheduler;
        this.listener = listener;
        this.ttl = Durations.toJava(def.getTtl().getTtl());
    }

    @Override
    synchronized void begin() {
        expiry = scheduler.schedule(ttl, this::expire);
    }

    void report(HealthStatus status, String output) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            expiry.cancel();
            expiry = scheduler.schedule(ttl, this::expire);
        }
        listener.checkUpdated(def.getId(), status, CheckResult.bound(output));
    }

    private void expire() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        listener.checkUpdated(def.getId(), HealthStatus.HEALTH_STATUS_CRITICAL,
                "TTL expired: no update within " + Outputs.duration(ttl));
    }

    @Override
    synchronized void end() {
        stopped = true;
        if (expiry != null) {
            expiry.cancel();
        }
    }
}
