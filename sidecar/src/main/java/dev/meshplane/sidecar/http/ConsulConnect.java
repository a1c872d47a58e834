package dev.meshplane.sidecar.http;

import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.SidecarService;
import dev.meshplane.proto.v1.Upstream;
import java.util.Optional;

/**
 * A service definition's "Connect" block in Consul's JSON: {"Native": true} or {"SidecarService":
 * {"Port", "Proxy": {"LocalServiceAddress", "LocalServicePort", "Upstreams": [{"DestinationName",
 * "LocalBindPort", "LocalBindAddress"}]}}}. Only shapes are read here; ConnectRules on the agent
 * judges the values. {"Native": false} alone, as some clients send, means "not in the mesh".
 */
final class ConsulConnect {
    private ConsulConnect() {}

    static Optional<ServiceConnect> parse(JsonIn service) {
        JsonIn connect = service.object("Connect");
        if (connect == null) {
            return Optional.empty();
        }
        ServiceConnect.Builder b = ServiceConnect.newBuilder().setNative(connect.bool("Native"));
        JsonIn sidecar = connect.object("SidecarService");
        if (sidecar != null) {
            SidecarService.Builder s = SidecarService.newBuilder().setPort(sidecar.int32("Port", 0));
            JsonIn proxy = sidecar.object("Proxy");
            if (proxy != null) {
                SidecarProxy.Builder p = SidecarProxy.newBuilder()
                        .setLocalServiceAddress(proxy.text("LocalServiceAddress"))
                        .setLocalServicePort(proxy.int32("LocalServicePort", 0));
                for (JsonIn u : proxy.objects("Upstreams")) {
                    p.addUpstreams(Upstream.newBuilder().setDestinationName(u.text("DestinationName"))
                            .setLocalBindPort(u.int32("LocalBindPort", 0))
                            .setLocalBindAddress(u.text("LocalBindAddress")));
                }
                s.setProxy(p);
            }
            b.setSidecarService(s);
        }
        return b.getNative() || b.hasSidecarService() ? Optional.of(b.build()) : Optional.empty();
    }
}
