package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.CheckDefinition;

/** A check the runner is running, of whichever kind. */
abstract sealed class RunningCheck permits PolledCheck, TtlCheck, LocalAliasCheck, RemoteAliasCheck {
    final CheckDefinition def;

    RunningCheck(CheckDefinition def) {
        this.def = def;
    }

    abstract void begin();

    /** Stops timers and threads and releases resources; no report follows. */
    abstract void end();
}
