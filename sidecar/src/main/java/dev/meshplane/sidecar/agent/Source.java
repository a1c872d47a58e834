package dev.meshplane.sidecar.agent;

import java.util.Locale;

/** Where a local service or check came from; decides what is persisted and what a reload may remove. */
enum Source {
    /** Registered through the Agent API (or `meshctl services register`): persisted in the data dir. */
    API,
    /** Read from a file in -config-dir: re-read on start and reload, never persisted. */
    CONFIG;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
