package dev.meshplane.controlplane.raft;

/** Volatile state the driver may want to react to; never persisted. Leader is "" when unknown. */
public record SoftState(String leader, RaftRole role) {}
