package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issued leaves in real mutual-TLS handshakes over loopback sockets with the JDK's own TLS
 * stack and PKIX trust manager: the SVID profile (key usage, EKU, empty subject, critical SAN)
 * must be one the JDK accepts for both server and client authentication.
 */
class TlsHandshakeTest {
    private static final TrustDomain TD = TrustDomain.forCluster("0e8a3c52-8d7b-4f59-9c8b-2f6a4f1d0c11");
    private static final char[] PASSWORD = "unused".toCharArray();

    private record Identity(KeyPair keys, IssuedLeaf leaf) {}

    private static Identity identity(SigningCa ca, String service) {
        KeyPair keys = EcKeys.generateP256();
        LeafSigner signer = new LeafSigner(ca, "dc1", CaConfig.DEFAULTS, InstantSource.system());
        return new Identity(keys, signer.sign(LeafCsr.create(keys, SpiffeId.of(TD, "dc1", service)),
                SigningAuthorizer.anyService()));
    }

    private static SSLContext context(Identity me, List<X509Certificate> trusted) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("leaf", me.keys().getPrivate(), PASSWORD,
                me.leaf().chain().toArray(Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        keys.init(keyStore, PASSWORD);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trustStore.setCertificateEntry("root-" + i, trusted.get(i));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    /** What each side of one connection saw: the peer's SPIFFE ID, or why it gave up. */
    private record Outcome(String serverSaw, Exception serverFailure, String clientSaw, Exception clientFailure) {
        List<String> ids() throws Exception {
            if (serverFailure != null) {
                throw serverFailure;
            }
            if (clientFailure != null) {
                throw clientFailure;
            }
            return List.of(serverSaw, clientSaw);
        }
    }

    /** One connection: handshake, then one byte each way (in TLS 1.3 the client learns of a refusal only then). */
    private static Outcome connect(SSLContext server, SSLContext client, String protocol) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {protocol});
            CompletableFuture<String> serverSaw = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.setSoTimeout(10_000);
                    accepted.startHandshake();
                    String peer = spiffeId(accepted);
                    accepted.getOutputStream().write(accepted.getInputStream().read());
                    accepted.getOutputStream().flush();
                    serverSaw.complete(peer);
                } catch (Exception e) {
                    serverSaw.completeExceptionally(e);
                }
            });
            String clientSaw = null;
            Exception clientFailure = null;
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                assertEquals(protocol, socket.getSession().getProtocol());
                socket.getOutputStream().write(42);
                socket.getOutputStream().flush();
                assertEquals(42, socket.getInputStream().read());
                clientSaw = spiffeId(socket);
            } catch (IOException e) {
                clientFailure = e;
            }
            try {
                return new Outcome(serverSaw.get(10, TimeUnit.SECONDS), null, clientSaw, clientFailure);
            } catch (ExecutionException e) {
                return new Outcome(null, (Exception) e.getCause(), clientSaw, clientFailure);
            }
        }
    }

    private static String spiffeId(SSLSocket socket) throws IOException {
        X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        return CertFacts.uriSans(peer).get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void leavesOfOneRootAuthenticateEachOther(String protocol) throws Exception {
        SigningCa root = SigningCa.generateRoot(TD, Instant.now(), CaConfig.DEFAULTS);
        Identity web = identity(root, "web");
        Identity api = identity(root, "api");
        List<String> seen = connect(context(api, List.of(root.certificate())),
                context(web, List.of(root.certificate())), protocol).ids();
        assertEquals(List.of(web.leaf().serviceUri(), api.leaf().serviceUri()), seen);
    }

    @Test
    void duringRotationAPeerTrustingOnlyTheOldRootAcceptsANewRootLeaf() throws Exception {
        Instant now = Instant.now();
        SigningCa oldRoot = SigningCa.generateRoot(TD, now, CaConfig.DEFAULTS);
        RootRotation.Result rotated = RootRotation.rotate(CaRoots.initial(oldRoot), oldRoot,
                SigningCa.generateRoot(TD, now, CaConfig.DEFAULTS), now, CaConfig.DEFAULTS);
        Identity rotatedServer = identity(rotated.signer(), "api");
        Identity staleClient = identity(oldRoot, "web");

        // The server already has the new leaf and the bundle; the client has neither yet.
        List<String> seen = connect(context(rotatedServer, rotated.roots().trustBundle()),
                context(staleClient, List.of(oldRoot.certificate())), "TLSv1.3").ids();
        assertEquals(List.of(staleClient.leaf().serviceUri(), rotatedServer.leaf().serviceUri()), seen);
    }

    @Test
    void aPeerWithALeafFromAnotherCaIsRefused() throws Exception {
        SigningCa ours = SigningCa.generateRoot(TD, Instant.now(), CaConfig.DEFAULTS);
        SigningCa theirs = SigningCa.generateRoot(TD, Instant.now(), CaConfig.DEFAULTS);
        Identity server = identity(ours, "api");
        Identity intruder = identity(theirs, "web");
        Outcome outcome = connect(context(server, List.of(ours.certificate())),
                context(intruder, List.of(ours.certificate())), "TLSv1.3");
        // The JDK's key manager sees that the server asks for certificates of another CA and sends none.
        assertInstanceOf(SSLHandshakeException.class, outcome.serverFailure(), "the server refuses the caller");
        assertInstanceOf(IOException.class, outcome.clientFailure(), "and the caller's connection fails");

        Outcome reverse = connect(context(intruder, List.of(ours.certificate())),
                context(server, List.of(ours.certificate())), "TLSv1.3");
        assertInstanceOf(SSLHandshakeException.class, reverse.clientFailure(), "a client refuses such a server");
        assertTrue(reverse.clientFailure().getMessage().contains("PKIX path"), reverse.clientFailure().getMessage());
    }
}
