package dev.meshplane.controlplane.rpc;

import dev.meshplane.api.ApiLimits;
import dev.meshplane.controlplane.connect.CaAuthority;
import dev.meshplane.controlplane.connect.ConnectConfig;
import dev.meshplane.controlplane.log.Consensus;
import dev.meshplane.controlplane.session.LockDelays;
import dev.meshplane.controlplane.session.SessionTimers;
import dev.meshplane.controlplane.state.ConnectQueries;
import dev.meshplane.controlplane.state.StateQueries;
import dev.meshplane.controlplane.state.StateStore;
import dev.meshplane.controlplane.watch.WakeRegistry;
import dev.meshplane.controlplane.watch.WatchHub;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** Everything the server role's RPC services work with. */
public record ServerContext(Consensus consensus, StateStore store, StateQueries queries, WakeRegistry wakes,
                            WatchHub hub, LockDelays lockDelays, SessionTimers sessionTimers, ApiLimits limits,
                            Duration sessionTtlMin, ScheduledExecutorService timer, Executor worker,
                            ConnectConfig connect, ConnectQueries connectQueries, CaAuthority ca) {}
