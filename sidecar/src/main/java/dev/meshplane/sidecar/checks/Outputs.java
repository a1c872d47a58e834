package dev.meshplane.sidecar.checks;

import java.time.Duration;

/** Wording shared by the probes' outputs. */
final class Outputs {
    private Outputs() {}

    /** "10s", "1.5s", "250ms": as Consul's users write durations. */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return (millis / 1000) + "s";
        }
        return millis >= 1000 ? (millis / 1000.0) + "s" : millis + "ms";
    }

    /** The description followed by the innermost cause's message, which is usually the useful part. */
    static String cause(String description, Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootText = root == null ? null
                : root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (description == null || description.isEmpty()) {
            return rootText == null ? "unknown failure" : rootText;
        }
        return rootText == null || description.contains(rootText) ? description : description + ": " + rootText;
    }
}
