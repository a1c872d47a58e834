package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.AgentGrpc;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.ServiceConnect;
import dev.meshplane.sidecar.connect.ConnectAgentConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Metadata;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS configured entirely by the sidecar over xDS: an XdsServerBuilder server whose Listener
 * carries a DownstreamTlsContext, and a grpc-java xDS client whose Cluster carries an
 * UpstreamTlsContext, both naming the file_watcher certificate provider of the bootstrap that
 * `meshctl xds bootstrap -cert-dir` prints, over the certificate files a real dev agent writes for
 * its services (leaves of the agent's own CA).
 */
class XdsMtlsTest {
    @TempDir
    static Path certDir;
    static Agent agent;
    static ManagedChannel api;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = Agent.start(Agent.Settings.dev("node-xds-tls", 0, 0), new Agent.Mesh(c -> c,
                ConnectAgentConfig.defaults().withCertFilesDir(certDir)));
        api = NettyChannelBuilder.forAddress("127.0.0.1", agent.grpcAddress().getPort()).usePlaintext().build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!agent.sidecar().nodeRegistered()) {
            assertTrue(System.nanoTime() < deadline, "the dev agent did not register its node within 10 s");
            Thread.sleep(10);
        }
    }

    @AfterAll
    static void stopAgent() throws Exception {
        api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        agent.close();
    }

    private static String address() {
        return "127.0.0.1:" + agent.grpcAddress().getPort();
    }

    @SuppressWarnings("unchecked")
    private Map<String, ?> bootstrap(String service) throws Exception {
        return (Map<String, ?>) JsonParser.parse(new XdsBootstrap(service, address(), service + "-test", "dc1",
                certDir, "mesh").toJson());
    }

    /** A native mesh service on the agent, so that the agent writes the files of its leaf. */
    private static void meshService(String name, int port, Map<String, String> meta) throws InterruptedException {
        AgentGrpc.newBlockingStub(api).withDeadlineAfter(10, TimeUnit.SECONDS).registerService(RegisterServiceRequest
                .newBuilder().setService(Service.newBuilder().setName(name).setId(name + "-1").setAddress("127.0.0.1")
                        .setPort(port).putAllMeta(meta).setConnect(ServiceConnect.newBuilder().setNative(true)))
                .build());
        Path dir = certDir.resolve(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(dir.resolve("cert.pem")) && Files.exists(dir.resolve("key.pem"))
                && Files.exists(dir.resolve("roots.pem")))) {
            assertTrue(System.nanoTime() < deadline, "no cert files for " + name + " within 20 s");
            Thread.sleep(20);
        }
    }

    @Test
    void xdsServerAndClientSpeakMutualTlsFromTheSidecarsCertFiles() throws Exception {
        int port = ServerProcesses.freePorts(1)[0];
        meshService("secure-client", 9, Map.of());
        List<String> callers = new CopyOnWriteArrayList<>();
        Greeter greeter = new Greeter("secure-greeter-1");
        greeter.server.shutdownNow();
        Server server = XdsServerBuilder.forPort(port, XdsServerCredentials.create(InsecureServerCredentials.create()))
                .overrideBootstrapForTest(bootstrap("secure-greeter"))
                .addService(ServerInterceptors.intercept(greeter.definition(), new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                                       ServerCallHandler<Q, A> next) {
                        SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                        try {
                            callers.add(tls == null ? "plaintext"
                                    : ((X509Certificate) tls.getPeerCertificates()[0]).getSubjectAlternativeNames()
                                            .iterator().next().get(1).toString());
                        } catch (Exception e) {
                            callers.add("no peer certificate");
                        }
                        return next.startCall(call, headers);
                    }
                }))
                .build();
        // Registered (so its leaf and files exist) before the server starts, which needs them.
        meshService("secure-greeter", port, Map.of("grpc-mtls", "true"));
        server.start();
        // The client's bootstrap goes to its own resolver scheme, not to the process-wide default: grpc-java
        // reads that once per JVM, and another test class (XdsClientTest) needs its own agent there.
        XdsNameResolverProvider resolver = XdsNameResolverProvider.createForTest("xds-mtls-test",
                bootstrap("secure-client"));
        NameResolverRegistry.getDefaultRegistry().register(resolver);
        ManagedChannel mtls = Grpc.newChannelBuilder("xds-mtls-test:///secure-greeter",
                XdsChannelCredentials.create(InsecureChannelCredentials.create())).build();
        ManagedChannel plaintext = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
                InsecureChannelCredentials.create()).build();
        try {
            assertEquals("secure-greeter-1", Greeter.helloWhenReady(mtls, 60_000));
            assertTrue(callers.get(0).endsWith("/svc/secure-client"), callers.toString());
            assertThrows(StatusRuntimeException.class, () -> Greeter.hello(plaintext, 5_000),
                    "the server's Listener requires TLS with a mesh client certificate");
        } finally {
            mtls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            plaintext.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            NameResolverRegistry.getDefaultRegistry().deregister(resolver);
        }
    }
}
