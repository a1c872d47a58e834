package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.proto.v1.SidecarProxy;
import dev.meshplane.proto.v1.SidecarService;
import dev.meshplane.proto.v1.Upstream;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With closeDeniedConnections, a deny also ends established connections. Both services live on
 * one dev agent here (web's upstream reaches db's sidecar on the same node).
 */
class CloseDeniedTest {
    @Test
    void aDenyClosesEstablishedConnectionsWhenConfigured() throws Exception {
        int[] ports = ServerProcesses.freePorts(3);
        try (EchoServer db = new EchoServer();
             Agent agent = Agent.start(Agent.Settings.dev("solo", 0, 0), new Agent.Mesh(c -> c,
                     ConnectAgentConfig.defaults().withCloseDeniedConnections(true)))) {
            ManagedChannel api = NettyChannelBuilder.forAddress("127.0.0.1", agent.grpcAddress().getPort())
                    .usePlaintext().build();
            try {
                MeshEndToEndTest.waitFor("the node", () -> agent.sidecar().nodeRegistered());
                var agentApi = AgentGrpc.newBlockingStub(api).withDeadlineAfter(30, TimeUnit.SECONDS);
                agentApi.registerService(RegisterServiceRequest.newBuilder().setService(Service.newBuilder()
                        .setName("db").setPort(db.port()).setConnect(ServiceConnect.newBuilder().setSidecarService(
                                SidecarService.newBuilder().setPort(ports[0])))).build());
                agentApi.registerService(RegisterServiceRequest.newBuilder().setService(Service.newBuilder()
                        .setName("web").setPort(9).setConnect(ServiceConnect.newBuilder().setSidecarService(
                                SidecarService.newBuilder().setPort(ports[1]).setProxy(SidecarProxy.newBuilder()
                                        .addUpstreams(Upstream.newBuilder().setDestinationName("db")
                                                .setLocalBindPort(ports[2])))))).build());
                MeshEndToEndTest.waitFor("a request through the mesh", () -> EchoClient.works(ports[2], 2000));
                String address = "127.0.0.1:" + agent.grpcAddress().getPort();
                try (EchoClient established = new EchoClient(ports[2], 3000)) {
                    established.roundTrip("open".getBytes());
                    assertEquals(0, CliTest.meshctl("intention", "deny", "web", "db", "-address", address).code());
                    long denied = System.nanoTime();
                    assertThrows(IOException.class, () -> {
                        while (System.nanoTime() - denied < TimeUnit.SECONDS.toNanos(5)) {
                            established.roundTrip("still?".getBytes());
                            Thread.sleep(20);
                        }
                    }, "the established connection survived the deny");
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - denied);
                    assertTrue(millis < 1000, "closed " + millis + " ms after the deny");
                }
            } finally {
                api.shutdownNow();
            }
        }
    }
}
