package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import java.util.Optional;

/** Mirrors the health of a service registered with this same agent, re-evaluated on every local change. */
final class LocalAliasCheck extends RunningCheck {
    private final LocalHealth local;
    private final CheckListener listener;
    private volatile boolean stopped;

    LocalAliasCheck(CheckDefinition def, LocalHealth local, CheckListener listener) {
        super(def);
        this.local = local;
        this.listener = listener;
    }

    @Override
    void begin() {
        evaluate();
    }

    void evaluate() {
        if (stopped) {
            return;
        }
        String target = def.getAlias().getServiceId();
        Optional<HealthStatus> health = local.serviceHealth(target, def.getId());
        if (health.isEmpty()) {
            listener.checkUpdated(def.getId(), HealthStatus.HEALTH_STATUS_CRITICAL,
                    "alias of " + target + ": the service is not registered with this agent");
            return;
        }
        HealthStatus mirrored = AliasOutput.mirror(health.get());
        listener.checkUpdated(def.getId(), mirrored, AliasOutput.of(target, mirrored));
    }

    @Override
    void end() {
        stopped = true;
    }
}
