package dev.meshplane.api;

import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.Upstream;
import java.util.HashSet;
import java.util.Set;

/** Validates a service's mesh settings (its {@code connect} block). */
public final class ConnectRules {
    /** More upstreams than this on one service is a configuration mistake, not a use case. */
    public static final int MAX_UPSTREAMS = 64;

    private ConnectRules() {}

    /**
     * Throws INVALID_ARGUMENT naming the first bad field under {@code path} (e.g.
     * "service.connect"). {@code servicePort} is the service's own port, the default target of
     * the sidecar's inbound connections.
     */
    public static void check(String path, ServiceConnect connect, int servicePort) {
        if (connect.getNative() && connect.hasSidecarService()) {
            throw ApiException.invalidArgument(path, "native and sidecar_service exclude each other: a native"
                    + " application does mTLS itself and needs no proxy");
        }
        if (!connect.hasSidecarService()) {
            return;
        }
        String sidecar = path + ".sidecar_service";
        int port = connect.getSidecarService().getPort();
        if (port < 1 || port > 65535) {
            throw ApiException.invalidArgument(sidecar + ".port", port + " must be 1-65535 (by convention"
                    + " 21000-21255); the agent does not pick the public listener's port");
        }
        SidecarProxy proxy = connect.getSidecarService().getProxy();
        String p = sidecar + ".proxy";
        NameRules.checkAddress(p + ".local_service_address", proxy.getLocalServiceAddress());
        int local = proxy.getLocalServicePort();
        if (local < 0 || local > 65535) {
            throw ApiException.invalidArgument(p + ".local_service_port", local + " is out of range 0-65535");
        }
        if (local == 0 && servicePort == 0) {
            throw ApiException.invalidArgument(p + ".local_service_port", "must be set when the service has no port:"
                    + " the proxy needs to know where the application listens");
        }
        if (proxy.getUpstreamsCount() > MAX_UPSTREAMS) {
            throw ApiException.invalidArgument(p + ".upstreams", "has " + proxy.getUpstreamsCount()
                    + " entries; the limit is " + MAX_UPSTREAMS);
        }
        Set<String> binds = new HashSet<>();
        for (int i = 0; i < proxy.getUpstreamsCount(); i++) {
            Upstream u = proxy.getUpstreams(i);
            String f = p + ".upstreams[" + i + "]";
            NameRules.checkName(f + ".destination_name", u.getDestinationName());
            NameRules.checkAddress(f + ".local_bind_address", u.getLocalBindAddress());
            if (u.getLocalBindPort() < 1 || u.getLocalBindPort() > 65535) {
                throw ApiException.invalidArgument(f + ".local_bind_port", u.getLocalBindPort() + " must be 1-65535");
            }
            String bind = (u.getLocalBindAddress().isEmpty() ? "127.0.0.1" : u.getLocalBindAddress()) + ":"
                    + u.getLocalBindPort();
            if (!binds.add(bind)) {
                throw ApiException.invalidArgument(f + ".local_bind_port", bind + " is used by another upstream");
            }
            if (u.getLocalBindPort() == port) {
                throw ApiException.invalidArgument(f + ".local_bind_port", u.getLocalBindPort()
                        + " is the sidecar's public port");
            }
        }
    }
}
