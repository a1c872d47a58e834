package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.CatalogRegisterRequest;
import dev.meshplane.proto.v1.Check;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Node;
import dev.meshplane.proto.v1.Service;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS configured entirely by the sidecar over xDS: an XdsServerBuilder server whose Listener
 * carries a DownstreamTlsContext, and a grpc-java xDS client whose Cluster carries an
 * UpstreamTlsContext, both naming the file_watcher certificate provider of the bootstrap that
 * `meshctl xds bootstrap -cert-dir` prints, over certificate files laid out as the sidecar writes them.
 */
class XdsMtlsTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-xds-tls");

    @TempDir
    Path certDir;

    @SuppressWarnings("unchecked")
    private Map<String, ?> bootstrap(String service) throws Exception {
        return (Map<String, ?>) JsonParser.parse(new XdsBootstrap(service, DEV.address(), service + "-test", "dc1",
                certDir, "mesh").toJson());
    }

    @Test
    void xdsServerAndClientSpeakMutualTlsFromTheSidecarsCertFiles() throws Exception {
        TestCerts ca = new TestCerts();
        ca.write(certDir, "secure-greeter", "");
        ca.write(certDir, "secure-client", "");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
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
                .build().start();
        CatalogGrpc.newBlockingStub(DEV.channel()).withDeadlineAfter(10, TimeUnit.SECONDS).register(
                CatalogRegisterRequest.newBuilder()
                        .setNode(Node.newBuilder().setName("node-xds-tls").setAddress("127.0.0.1"))
                        .setService(Service.newBuilder().setName("secure-greeter").setId("secure-greeter-1")
                                .setPort(port).putMeta("grpc-mtls", "true"))
                        .addChecks(Check.newBuilder().setCheckId("c1").setServiceId("secure-greeter-1")
                                .setStatus(HealthStatus.HEALTH_STATUS_PASSING))
                        .build());
        // grpc-java reads the process-wide bootstrap once; this client gets its own under a scheme of
        // its own, so other test classes in this JVM keep theirs (an application has one bootstrap).
        @SuppressWarnings("unchecked")
        Map<String, ?> clientBootstrap = (Map<String, ?>) JsonParser.parse(new XdsBootstrap("secure-client",
                DEV.address(), "secure-client-test", "dc1", certDir, "mesh").toJson());
        XdsNameResolverProvider resolver = XdsNameResolverProvider.createForTest("xds-mtls-test", clientBootstrap);
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
