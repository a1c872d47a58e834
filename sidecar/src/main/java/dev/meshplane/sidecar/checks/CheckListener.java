package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.HealthStatus;

/** Where the runner reports a check's recorded status (after thresholds) and output. */
public interface CheckListener {
    void checkUpdated(String checkId, HealthStatus status, String output);
}
