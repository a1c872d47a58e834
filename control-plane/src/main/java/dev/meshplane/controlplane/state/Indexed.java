package dev.meshplane.controlplane.state;

/** A query result with the index it reflects (at least 1, so that blocking on it always waits). */
public record Indexed<T>(T value, long index) {
    public Indexed {
        index = Math.max(1, index);
    }
}
