package dev.meshplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.SidecarService;
import dev.meshplane.proto.v1.Upstream;
import org.junit.jupiter.api.Test;

/** The connect block of a service registration: accepted shapes and refusals naming the field. */
class ConnectRulesTest {
    private static Service web(SidecarService sidecar) {
        return Service.newBuilder().setName("web").setPort(8080)
                .setConnect(ServiceConnect.newBuilder().setSidecarService(sidecar)).build();
    }

    private static String refusal(Service s) {
        return assertThrows(ApiException.class, () -> ServiceRules.normalize("service", s)).getMessage();
    }

    @Test
    void aSidecarWithUpstreamsIsKeptAsGiven() {
        Service s = web(SidecarService.newBuilder().setPort(21000).setProxy(SidecarProxy.newBuilder()
                .addUpstreams(Upstream.newBuilder().setDestinationName("db").setLocalBindPort(9191))).build());
        assertEquals(s.getConnect(), ServiceRules.normalize("service", s).getConnect());
    }

    @Test
    void refusalsNameTheField() {
        assertEquals("service.connect.sidecar_service.port: 0 must be 1-65535 (by convention 21000-21255); the agent"
                + " does not pick the public listener's port", refusal(web(SidecarService.newBuilder().build())));
        assertEquals("service.connect.sidecar_service.proxy.upstreams[0].destination_name: must not be empty",
                refusal(web(SidecarService.newBuilder().setPort(21000).setProxy(SidecarProxy.newBuilder()
                        .addUpstreams(Upstream.newBuilder().setLocalBindPort(9191))).build())));
        assertEquals("service.connect.sidecar_service.proxy.upstreams[1].local_bind_port: 127.0.0.1:9191 is used by"
                + " another upstream", refusal(web(SidecarService.newBuilder().setPort(21000).setProxy(
                SidecarProxy.newBuilder()
                        .addUpstreams(Upstream.newBuilder().setDestinationName("db").setLocalBindPort(9191))
                        .addUpstreams(Upstream.newBuilder().setDestinationName("cache").setLocalBindPort(9191)))
                .build())));
        Service noPort = Service.newBuilder().setName("web").setConnect(ServiceConnect.newBuilder()
                .setSidecarService(SidecarService.newBuilder().setPort(21000))).build();
        assertEquals("service.connect.sidecar_service.proxy.local_service_port: must be set when the service has no"
                + " port: the proxy needs to know where the application listens", refusal(noPort));
        Service both = Service.newBuilder().setName("web").setPort(1).setConnect(ServiceConnect.newBuilder()
                .setNative(true).setSidecarService(SidecarService.newBuilder().setPort(21000))).build();
        assertEquals("service.connect: native and sidecar_service exclude each other: a native application does mTLS"
                + " itself and needs no proxy", refusal(both));
    }
}
