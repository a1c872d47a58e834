package dev.meshplane.sidecar.xds;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import com.google.protobuf.BoolValue;
import java.util.List;

/**
 * Listener resources for servers built with grpc-java's XdsServerBuilder, which asks for
 * {@code grpc/server?xds.resource.listening_address=IP:PORT} (the bootstrap's
 * server_listener_resource_name_template). The Listener has the same address, one filter chain
 * whose HttpConnectionManager routes every call to the server itself (a non-forwarding action, as
 * gRPC servers require) with the router filter last, and, when the application's bootstrap has the
 * sidecar's certificate provider, a DownstreamTlsContext that requires a client certificate from
 * the mesh: the server then speaks mTLS with the files the sidecar keeps. An mTLS Listener also
 * carries the RBAC filter generated from the intentions for the node's service (IntentionRbac),
 * so a caller the intentions deny gets PERMISSION_DENIED.
 */
final class ServerListeners {
    static final String PREFIX = "grpc/server?xds.resource.listening_address=";
    static final String HCM_FILTER = "envoy.filters.network.http_connection_manager";

    private ServerListeners() {}

    static boolean isServerListener(String name) {
        return name.startsWith(PREFIX);
    }

    /** The Listener for a server listener name without RBAC, or null when its address is not IP:PORT. */
    static Listener build(String name, boolean mtls, String certificateProvider) {
        return build(name, mtls, certificateProvider, null);
    }

    /**
     * The Listener for a server listener name, or null when its address is not IP:PORT.
     *
     * @param rbac the RBAC filter that authorizes callers (placed before the router), or null for none
     */
    static Listener build(String name, boolean mtls, String certificateProvider, HttpFilter rbac) {
        String hostPort = name.substring(PREFIX.length());
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (!InetAddresses.isInetAddress(host) || port < 1 || port > 65535) {
            return null;
        }
        HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder()
                .setRouteConfig(RouteConfiguration.newBuilder().setName("inbound")
                        .addVirtualHosts(VirtualHost.newBuilder().setName("inbound").addDomains("*")
                                .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(""))
                                        .setNonForwardingAction(NonForwardingAction.getDefaultInstance()))));
        if (rbac != null) {
            hcm.addHttpFilters(rbac);
        }
        // The router must be last: gRPC refuses a chain that does not end with it.
        hcm.addHttpFilters(MeshResources.routerFilter());
        FilterChain.Builder chain = FilterChain.newBuilder().setName("inbound")
                .addFilters(Filter.newBuilder().setName(HCM_FILTER).setTypedConfig(Any.pack(hcm.build())));
        if (mtls) {
            DownstreamTlsContext tls = DownstreamTlsContext.newBuilder()
                    .setCommonTlsContext(TlsContexts.common(certificateProvider, List.of()))
                    .setRequireClientCertificate(BoolValue.of(true))
                    .build();
            chain.setTransportSocket(TransportSocket.newBuilder().setName(MeshResources.TLS_TRANSPORT_SOCKET)
                    .setTypedConfig(Any.pack(tls)));
        }
        return Listener.newBuilder().setName(name).setTrafficDirection(TrafficDirection.INBOUND)
                .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(host)
                        .setPortValue(port)))
                .addFilterChains(chain)
                .build();
    }
}
