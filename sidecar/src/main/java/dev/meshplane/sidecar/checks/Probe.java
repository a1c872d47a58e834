package dev.meshplane.sidecar.checks;

import java.time.Duration;

/**
 * One kind of active check. {@link #run} blocks its (virtual) thread for at most about
 * {@code timeout}, answers a result instead of throwing, and gives up when interrupted.
 */
interface Probe extends AutoCloseable {
    CheckResult run(Duration timeout) throws InterruptedException;

    /** Releases what the probe holds (pooled channels, clients). */
    @Override
    default void close() {}
}
