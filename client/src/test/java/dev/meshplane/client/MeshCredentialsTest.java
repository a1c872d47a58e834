package dev.meshplane.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real mTLS over loopback with credentials built from cert files, including a rotation to a new CA. */
class MeshCredentialsTest {
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("meshtest.Echo/Echo")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    @TempDir
    Path dir;

    private static Server server(MeshCredentials creds) throws Exception {
        return Grpc.newServerBuilderForPort(0, creds.serverCredentials())
                .addService(ServerServiceDefinition.builder("meshtest.Echo")
                        .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, obs) -> {
                            obs.onNext("echo " + req);
                            obs.onCompleted();
                        })).build())
                .build().start();
    }

    private static String call(ManagedChannel ch) {
        return ClientCalls.blockingUnaryCall(ch, ECHO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
    }

    private static ManagedChannel channel(Server server, MeshCredentials creds, String expected) throws Exception {
        int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        return Grpc.newChannelBuilderForAddress("127.0.0.1", port, creds.channelCredentials(expected)).build();
    }

    @Test
    void mutualTlsBetweenMeshServicesAndPeerIdentityCheck() throws Exception {
        TestCerts ca = new TestCerts();
        try (MeshCredentials serverCreds = MeshCredentials.load(ca.write(dir, "greeter", ""));
             MeshCredentials clientCreds = MeshCredentials.load(ca.write(dir, "web", ""))) {
            Server server = server(serverCreds);
            ManagedChannel right = channel(server, clientCreds, "greeter");
            ManagedChannel wrong = channel(server, clientCreds, "billing");
            try {
                assertEquals("echo hi", call(right));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(wrong));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            } finally {
                right.shutdownNow();
                wrong.shutdownNow();
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void renewedLeafIsPickedUpWithoutARestart() throws Exception {
        TestCerts ca = new TestCerts();
        TestCerts other = new TestCerts();
        Path serverDir = ca.write(dir, "greeter", "");
        // The client starts with a leaf from a CA the server does not trust.
        Path clientDir = other.write(dir, "web", ca.root.certificatePem());
        try (MeshCredentials serverCreds = MeshCredentials.load(serverDir, Duration.ofMillis(200));
             MeshCredentials clientCreds = MeshCredentials.load(clientDir, Duration.ofMillis(200))) {
            Server server = server(serverCreds);
            ManagedChannel ch = channel(server, clientCreds, "greeter");
            try {
                assertThrows(StatusRuntimeException.class, () -> call(ch), "the server does not trust that leaf");
                // Renewal: the sidecar writes a leaf from the mesh's CA into the client's files; no restart.
                ca.write(dir, "web", "");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String answer = null;
                StatusRuntimeException last = null;
                while (answer == null && System.nanoTime() < deadline) {
                    try {
                        answer = call(ch);
                    } catch (StatusRuntimeException notYet) {
                        last = notYet;
                        Thread.sleep(100);
                    }
                }
                assertEquals("echo hi", answer, String.valueOf(last));
            } finally {
                ch.shutdownNow();
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void missingFilesAreNamed() {
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> MeshCredentials.load(dir.resolve("none")));
        assertTrue(e.getMessage().contains("cert.pem"), e.getMessage());
    }
}
