package dev.meshplane.sidecar.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * One client's ADS stream (state of the world, as grpc-java speaks it). Per resource type it keeps
 * the names subscribed, the nonce of the last response, and what was last sent for each name. A
 * flush compares the current shared resources with what was sent and pushes only the difference:
 * LDS and CDS as the full set of existing names (a missing name is deleted at once), RDS and EDS
 * only the resources that changed. An ACK records the version; a NACK is logged with its error
 * detail and changes nothing, so the rejected resources are not sent again until they change.
 * Nothing is queued: a flush reads the latest state, and while gRPC flow control says the client
 * is not ready it waits for onReady, so a slow client costs no memory beyond its subscriptions.
 */
final class AdsStream implements StreamObserver<DiscoveryRequest> {
    private static final Logger LOG = Logger.getLogger(AdsStream.class.getName());
    /** Node metadata `meshctl xds bootstrap -cert-dir` sets: the application holds mesh certificates. */
    static final String NODE_CERTIFICATE_PROVIDER_KEY = "MESH_CERTIFICATE_PROVIDER";
    /** Node metadata the bootstrap sets: the mesh service the application is (the destination of its callers). */
    static final String NODE_SERVICE_KEY = "MESH_SERVICE";
    /** For an mTLS server whose node names no service: nobody can be authorized, so nobody is let in. */
    private static final HttpFilter DENY_ALL = IntentionRbac.filter(IntentionRbac.denyAll());

    /** What this stream holds for one resource type. */
    private static final class TypeState {
        Set<String> names = Set.of();
        String lastNonce = "";
        long version;
        String ackedVersion = "";
        /** Name to the resource last sent under it; for full-set types also the names sent as absent. */
        Map<String, Any> sent = new HashMap<>();
        /** For full-set types: the current names have been answered at least once. */
        boolean answered;
    }

    private final ServerCallStreamObserver<DiscoveryResponse> out;
    private final XdsHub hub;
    private final XdsConfig config;
    private final Executor flushExecutor;
    private final EnumMap<ResourceType, TypeState> types = new EnumMap<>(ResourceType.class);
    private final Map<String, ServiceTracker> trackers = new HashMap<>();
    /**
     * Server-side Listeners depend on their name, this node, and the RBAC filter of the node's
     * service: built per stream, again only when that filter is a new instance.
     */
    private final Map<String, ServerListener> serverListeners = new HashMap<>();
    private String nodeId = "(unknown node)";
    /** Whether the node's bootstrap names the sidecar's certificate provider (so it can speak mTLS). */
    private boolean nodeHasCertificates;
    /** The mesh service the node says it is, or null when it names none that can be a service. */
    private String nodeService;
    private boolean warnedNoService;
    private long nonces;
    private boolean flushQueued;
    private boolean closed;

    AdsStream(ServerCallStreamObserver<DiscoveryResponse> out, XdsHub hub, XdsConfig config, Executor flushExecutor) {
        this.out = out;
        this.hub = hub;
        this.config = config;
        this.flushExecutor = flushExecutor;
        for (ResourceType t : ResourceType.values()) {
            types.put(t, new TypeState());
        }
        out.setOnReadyHandler(this::changed);
    }

    @Override
    public void onNext(DiscoveryRequest request) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (request.hasNode() && !request.getNode().getId().isEmpty()) {
                nodeId = request.getNode().getId();
                var meta = request.getNode().getMetadata().getFieldsMap();
                nodeHasCertificates = meta.containsKey(NODE_CERTIFICATE_PROVIDER_KEY);
                String service = meta.containsKey(NODE_SERVICE_KEY) ? meta.get(NODE_SERVICE_KEY).getStringValue() : "";
                nodeService = XdsHub.isServiceName(service) ? service : null;
            }
            ResourceType type = ResourceType.of(request.getTypeUrl());
            if (type == null) {
                LOG.fine("xDS node " + nodeId + " asked for type " + request.getTypeUrl() + ", which is not served");
                return;
            }
            TypeState ts = types.get(type);
            String nonce = request.getResponseNonce();
            if (!nonce.isEmpty() && !nonce.equals(ts.lastNonce)) {
                // An answer to an older response: a newer one is already on its way and will be answered.
                return;
            }
            if (request.hasErrorDetail()) {
                hub.stats.nacks.increment();
                LOG.warning("xDS node " + nodeId + " rejected " + type + " version " + ts.version + " (keeps version "
                        + (ts.ackedVersion.isEmpty() ? "none" : ts.ackedVersion) + "): "
                        + request.getErrorDetail().getMessage());
            } else if (!nonce.isEmpty()) {
                ts.ackedVersion = request.getVersionInfo();
            }
            if (request.getResourceNamesCount() > config.maxNamesPerType()) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription(type + ": " + request.getResourceNamesCount()
                        + " resource names requested; the limit per stream is " + config.maxNamesPerType()));
                return;
            }
            Set<String> names = new TreeSet<>(request.getResourceNamesList());
            if (!names.equals(ts.names) || nonce.isEmpty()) {
                // A first request (also after a reconnect) is always answered in full.
                ts.names = names;
                serverListeners.keySet().retainAll(types.get(ResourceType.LISTENER).names);
                if (serverListeners.isEmpty()) {
                    hub.policies.release(this);
                }
                ts.answered = false;
                ts.sent.keySet().retainAll(names);
                resubscribe();
            }
        }
        changed();
    }

    /** Something this stream may hold changed (or the transport became ready): flush soon. */
    void changed() {
        synchronized (this) {
            if (flushQueued || closed) {
                return;
            }
            flushQueued = true;
        }
        flushExecutor.execute(this::flush);
    }

    private synchronized void flush() {
        flushQueued = false;
        if (closed) {
            return;
        }
        for (ResourceType type : ResourceType.values()) {
            if (!out.isReady()) {
                // onReady calls changed() again.
                return;
            }
            flushType(type, types.get(type));
        }
    }

    private void flushType(ResourceType type, TypeState ts) {
        if (ts.names.isEmpty()) {
            // No subscription (wildcard subscriptions are not served: see docs/xds.md).
            return;
        }
        Map<String, Any> now = new HashMap<>();
        boolean waiting = false;
        for (String name : ts.names) {
            ServiceResources r = resourcesFor(name);
            if (r == null) {
                waiting = true;
            } else if (r.get(type) != null) {
                now.put(name, r.get(type));
            }
        }
        List<Any> send = new ArrayList<>();
        if (type.fullSet) {
            // Answer only once every name is known, so no existing name is ever reported deleted.
            if (waiting || (ts.answered && sameByIdentity(now, ts.sent))) {
                return;
            }
            send.addAll(now.values());
            ts.sent = now;
            ts.answered = true;
        } else {
            for (Map.Entry<String, Any> e : now.entrySet()) {
                if (ts.sent.get(e.getKey()) != e.getValue()) {
                    send.add(e.getValue());
                    ts.sent.put(e.getKey(), e.getValue());
                }
            }
            if (send.isEmpty()) {
                return;
            }
        }
        ts.version++;
        ts.lastNonce = Long.toString(++nonces, 36);
        out.onNext(DiscoveryResponse.newBuilder().setTypeUrl(type.typeUrl).setVersionInfo(Long.toString(ts.version))
                .setNonce(ts.lastNonce).addAllResources(send).build());
        hub.stats.responses.increment();
    }

    private static boolean sameByIdentity(Map<String, Any> a, Map<String, Any> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, Any> e : a.entrySet()) {
            if (b.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** A name's resources: null while unknown yet, ABSENT for names that are no service. */
    private ServiceResources resourcesFor(String name) {
        if (ServerListeners.isServerListener(name)) {
            return serverListener(name);
        }
        ServiceTracker t = trackers.get(name);
        return t == null ? ServiceResources.ABSENT : t.current();
    }

    /** A server Listener's resources; null while the intentions it must carry are not known yet. */
    private ServiceResources serverListener(String name) {
        boolean mtls = config.mtls() || nodeHasCertificates;
        HttpFilter rbac = null;
        if (mtls) {
            // Intentions authorize mesh identities, which only mTLS gives: a plaintext server gets no RBAC.
            if (nodeService == null) {
                if (!warnedNoService) {
                    warnedNoService = true;
                    LOG.warning("xDS node " + nodeId + " asks for server Listener " + name + " with mTLS but its "
                            + "node metadata has no valid " + NODE_SERVICE_KEY + ": no caller can be authorized, "
                            + "every call is refused (generate the bootstrap with meshctl xds bootstrap -service)");
                }
                rbac = DENY_ALL;
            } else {
                rbac = hub.policies.current(nodeService, this);
                if (rbac == null) {
                    return null;
                }
            }
        }
        ServerListener cached = serverListeners.get(name);
        if (cached != null && cached.rbac() == rbac) {
            return cached.resources();
        }
        Listener l = ServerListeners.build(name, mtls, config.certificateProvider(), rbac);
        ServiceResources r = l == null ? ServiceResources.ABSENT
                : ServiceResources.of(Map.<ResourceType, Message>of(ResourceType.LISTENER, l), null);
        serverListeners.put(name, new ServerListener(rbac, r));
        return r;
    }

    /** A built server Listener and the RBAC filter instance it carries. */
    private record ServerListener(HttpFilter rbac, ServiceResources resources) {}

    /** Holds a tracker for every service named under any type, and lets go of the rest. */
    private void resubscribe() {
        Set<String> wanted = new HashSet<>();
        for (TypeState ts : types.values()) {
            for (String name : ts.names) {
                if (XdsHub.isServiceName(name)) {
                    wanted.add(name);
                }
            }
        }
        for (String name : List.copyOf(trackers.keySet())) {
            if (!wanted.contains(name)) {
                hub.release(trackers.remove(name), this);
            }
        }
        for (String name : wanted) {
            if (!trackers.containsKey(name)) {
                trackers.put(name, hub.acquire(name, this));
            }
        }
    }

    private void fail(Status status) {
        close();
        try {
            out.onError(status.asRuntimeException());
        } catch (IllegalStateException alreadyClosed) {
            // Cancelled meanwhile.
        }
    }

    private synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ServiceTracker t : trackers.values()) {
            hub.release(t, this);
        }
        trackers.clear();
        hub.policies.release(this);
        hub.streamClosed(this);
    }

    @Override
    public void onError(Throwable t) {
        close();
    }

    @Override
    public void onCompleted() {
        close();
        try {
            out.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
            // Cancelled meanwhile.
        }
    }

    synchronized String nodeId() {
        return nodeId;
    }
}
