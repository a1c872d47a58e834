package dev.meshplane.sidecar.xds;

import dev.meshplane.api.ApiLimits;
import com.google.protobuf.Message;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The ADS streams of one sidecar and the service trackers they share: a tracker (and its upstream
 * watch) lives while at least one stream subscribes to one of its service's resources.
 */
final class XdsHub {
    /** Counters for tests, benchmarks and operators. */
    static final class Stats {
        final LongAdder responses = new LongAdder();
        final LongAdder nacks = new LongAdder();
    }

    final Stats stats = new Stats();
    /** Test seam: rewrites each built resource before it is packed; identity in production. */
    volatile UnaryOperator<Message> resourceHook = UnaryOperator.identity();
    /** The RBAC filters server Listeners carry, from the intentions. */
    final ServerPolicies policies;
    private final XdsConfig config;
    private final UpstreamWatches upstream;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ServiceTracker> trackers = new HashMap<>();
    private final Set<AdsStream> streams = ConcurrentHashMap.newKeySet();

    XdsHub(XdsConfig config, UpstreamWatches upstream, ScheduledExecutorService scheduler, ServerPolicies policies) {
        this.config = config;
        this.policies = policies;
        this.upstream = upstream;
        this.scheduler = scheduler;
    }

    /** Whether an xDS resource name can be a service (others are reported absent without asking the servers). */
    static boolean isServiceName(String name) {
        if (name.isEmpty() || name.length() > ApiLimits.MAX_NAME_LENGTH || !Character.isLetterOrDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Admits a new stream, or returns false when the sidecar already serves its limit. */
    boolean admit(AdsStream stream) {
        synchronized (streams) {
            if (streams.size() >= config.maxStreams()) {
                return false;
            }
            streams.add(stream);
            return true;
        }
    }

    void streamClosed(AdsStream stream) {
        streams.remove(stream);
    }

    int streamCount() {
        return streams.size();
    }

    ServiceTracker acquire(String service, AdsStream stream) {
        ServiceTracker t;
        boolean fresh = false;
        synchronized (this) {
            t = trackers.get(service);
            if (t == null) {
                t = new ServiceTracker(service, config, scheduler, this);
                trackers.put(service, t);
                fresh = true;
            }
            t.add(stream);
        }
        if (fresh) {
            t.start(upstream);
        }
        return t;
    }

    void release(ServiceTracker tracker, AdsStream stream) {
        boolean last;
        synchronized (this) {
            last = tracker.remove(stream);
            if (last) {
                trackers.remove(tracker.service, tracker);
            }
        }
        if (last) {
            tracker.stop();
        }
    }

    synchronized int trackerCount() {
        return trackers.size();
    }
}
