package dev.meshplane.sidecar.gossip.core;

/** Counters and gauges of one core, for metrics and the simulation's report. */
public record CoreStats(
    long probes,
    long probesFailed,
    long indirectProbes,
    long tcpFallbackRescues,
    long suspicionsRaised,
    long refutations,
    long declaredDead,
    long misdirectedPings,
    long broadcastsDropped,
    long nameConflicts,
    int awarenessScore,
    int queueDepth,
    int members,
    int liveMembers) {}
