package dev.meshplane.sidecar.checks;

import dev.meshplane.api.Durations;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Mirrors a service instance on another node through a blocking query on that node in the
 * catalog: the instance's checks and its node's checks, worst first. While the servers cannot
 * be asked, the last known state stands (the servers being away says nothing about the target).
 */
final class RemoteAliasCheck extends RunningCheck {
    private static final Logger LOG = Logger.getLogger(RemoteAliasCheck.class.getName());
    /** How long one blocking query waits for a change. */
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final CatalogGrpc.CatalogBlockingStub catalog;
    private final CheckListener listener;
    private volatile boolean stopped;
    private Thread watcher;

    RemoteAliasCheck(CheckDefinition def, CatalogGrpc.CatalogBlockingStub catalog, CheckListener listener) {
        super(def);
        this.catalog = catalog;
        this.listener = listener;
    }

    @Override
    synchronized void begin() {
        watcher = Thread.ofVirtual().name("alias-" + def.getId()).start(this::watch);
    }

    private void watch() {
        long index = 0;
        long backoff = 250;
        String node = def.getAlias().getNode();
        while (!stopped) {
            try {
                GetNodeResponse r = catalog.withDeadlineAfter(WAIT.toSeconds() + 60, TimeUnit.SECONDS)
                        .getNode(GetNodeRequest.newBuilder().setNode(node).setOptions(QueryOptions.newBuilder()
                                .setIndex(index).setWait(Durations.toProto(WAIT))).build());
                if (stopped) {
                    return;
                }
                report(r);
                long next = r.getMeta().getIndex();
                index = next < index ? 0 : next; // an index going backwards means a restored store
                backoff = 250;
            } catch (StatusRuntimeException e) {
                if (stopped) {
                    return;
                }
                LOG.fine("alias check " + def.getId() + ": cannot query node " + node + ": " + e.getStatus());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                index = 0;
            }
        }
    }

    private void report(GetNodeResponse r) {
        String node = def.getAlias().getNode();
        String target = def.getAlias().getServiceId();
        if (!r.hasNode()) {
            listener.checkUpdated(def.getId(), HealthStatus.HEALTH_STATUS_CRITICAL,
                    "alias of " + target + " on " + node + ": the node is not in the catalog");
            return;
        }
        if (r.getServicesList().stream().noneMatch(s -> s.getId().equals(target))) {
            listener.checkUpdated(def.getId(), HealthStatus.HEALTH_STATUS_CRITICAL,
                    "alias of " + target + " on " + node + ": the service is not registered on the node");
            return;
        }
        HealthStatus worst = HealthStatus.HEALTH_STATUS_PASSING;
        for (Check c : r.getChecksList()) {
            if (c.getServiceId().isEmpty() || c.getServiceId().equals(target)) {
                worst = AliasOutput.worse(worst, c.getStatus());
            }
        }
        HealthStatus mirrored = AliasOutput.mirror(worst);
        listener.checkUpdated(def.getId(), mirrored, AliasOutput.of(target + " on " + node, mirrored));
    }

    @Override
    synchronized void end() {
        stopped = true;
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
