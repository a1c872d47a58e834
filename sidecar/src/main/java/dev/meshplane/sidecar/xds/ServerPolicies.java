package dev.meshplane.sidecar.xds;

import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.IntentionListResponse;
import dev.meshplane.sidecar.rpc.MeshFeeds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * The RBAC filter of each destination service that some server Listener serves, kept current from
 * the intentions and the trust domain of the agent's {@link MeshFeeds} (the same two blocking
 * queries the mTLS proxies follow). Each ADS stream watches the one destination its node serves; when the
 * intentions change, only the destinations whose rules came out different are recomputed into a
 * new filter instance, and only their streams are told (an unrelated intention pushes nothing).
 */
final class ServerPolicies {
    private static final Logger LOG = Logger.getLogger(ServerPolicies.class.getName());

    /** Filters adopted: first ones, and rebuilt ones that differed from their predecessor (tests, operators). */
    final LongAdder changes = new LongAdder();
    private final Map<String, HttpFilter> filters = new HashMap<>();
    private final Map<String, Set<AdsStream>> watchers = new HashMap<>();
    private final Map<AdsStream, String> watching = new HashMap<>();
    private IntentionListResponse intentions;
    private String trustDomain;

    ServerPolicies(MeshFeeds feeds) {
        feeds.onIntentions(this::onIntentions);
        feeds.onRoots(this::onRoots);
    }

    /**
     * The RBAC filter for callers of {@code destination}, registering {@code stream} to be told when
     * it changes; null until the intentions and the trust domain are known (the Listener waits, so
     * a server never serves before it can authorize).
     */
    synchronized HttpFilter current(String destination, AdsStream stream) {
        if (!destination.equals(watching.get(stream))) {
            releaseLocked(stream);
            watching.put(stream, destination);
            watchers.computeIfAbsent(destination, d -> new HashSet<>()).add(stream);
        }
        if (intentions == null || trustDomain == null) {
            return null;
        }
        HttpFilter f = filters.get(destination);
        if (f == null) {
            f = build(destination);
            filters.put(destination, f);
            changes.increment();
        }
        return f;
    }

    /** The stream no longer serves a server Listener with mTLS (or has closed). */
    synchronized void release(AdsStream stream) {
        releaseLocked(stream);
    }

    private void releaseLocked(AdsStream stream) {
        String destination = watching.remove(stream);
        if (destination == null) {
            return;
        }
        Set<AdsStream> set = watchers.get(destination);
        set.remove(stream);
        if (set.isEmpty()) {
            watchers.remove(destination);
            filters.remove(destination);
        }
    }

    private void onIntentions(IntentionListResponse r) {
        List<AdsStream> tell;
        synchronized (this) {
            intentions = r;
            tell = rebuildLocked();
        }
        tell.forEach(AdsStream::changed);
    }

    private void onRoots(CaRootsResponse r) {
        if (r.getTrustDomain().isEmpty()) {
            // No CA yet: callers cannot have mesh certificates either.
            return;
        }
        List<AdsStream> tell;
        synchronized (this) {
            if (r.getTrustDomain().equals(trustDomain)) {
                return;
            }
            trustDomain = r.getTrustDomain();
            tell = rebuildLocked();
        }
        tell.forEach(AdsStream::changed);
    }

    /** Rebuilds every watched destination's filter; returns the streams whose filter changed. */
    private List<AdsStream> rebuildLocked() {
        List<AdsStream> tell = new ArrayList<>();
        if (intentions == null || trustDomain == null) {
            return tell;
        }
        for (Map.Entry<String, Set<AdsStream>> e : watchers.entrySet()) {
            HttpFilter before = filters.get(e.getKey());
            HttpFilter after = build(e.getKey());
            if (before == null || !before.equals(after)) {
                filters.put(e.getKey(), after);
                changes.increment();
                tell.addAll(e.getValue());
            }
        }
        return tell;
    }

    private HttpFilter build(String destination) {
        HttpFilter f = IntentionRbac.filter(IntentionRbac.forDestination(destination, intentions.getIntentionsList(),
                intentions.getDefaultAllow(), trustDomain));
        LOG.fine(() -> "RBAC for callers of " + destination + ": " + f);
        return f;
    }
}
