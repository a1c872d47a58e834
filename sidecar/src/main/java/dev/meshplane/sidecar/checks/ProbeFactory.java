package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.CheckDefinition;

/** Builds the probe of a polled check (grpc, http, tcp, script); a seam for tests. */
interface ProbeFactory extends AutoCloseable {
    /** Reads whatever the probe needs up front (TLS files), throwing ApiException naming the field. */
    Probe create(String field, CheckDefinition def);

    @Override
    default void close() {}
}
