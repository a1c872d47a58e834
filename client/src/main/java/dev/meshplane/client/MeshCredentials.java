package dev.meshplane.client;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * mTLS credentials from the files the sidecar keeps for one service ({@code cert.pem}, the leaf
 * and its chain; {@code key.pem}; {@code roots.pem}, the mesh's trusted roots). The files are read
 * again every {@code refresh}, so a renewed leaf or a rotated root is used for new connections
 * without a restart (grpc-java swaps certificates only when both cert and key read consistently).
 * Peers are checked against the roots and, where asked, for the SPIFFE ID of an expected service
 * ({@code spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>}); host names are not checked,
 * since mesh certificates carry a SPIFFE URI and no DNS name.
 */
public final class MeshCredentials implements AutoCloseable {
    /** The sidecar renews leaves days before they expire; a minute is ample and cheap. */
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(1);

    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final Path dir;
    private final Duration refresh;
    private final ScheduledExecutorService reloads;
    private final AdvancedTlsX509KeyManager.Closeable keyReload;

    private MeshCredentials(Path dir, Duration refresh) throws IOException, GeneralSecurityException {
        this.dir = dir;
        this.refresh = refresh;
        this.reloads = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-credentials-reload");
            t.setDaemon(true);
            return t;
        });
        try {
            this.keyReload = keyManager.updateIdentityCredentials(file("cert.pem").toFile(), file("key.pem").toFile(),
                    refresh.toMillis(), TimeUnit.MILLISECONDS, reloads);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            reloads.shutdownNow();
            throw e;
        }
    }

    /**
     * Loads a service's credentials from {@code serviceDir} (the sidecar's cert files directory
     * followed by the service name) and re-reads them every {@code refresh}.
     */
    public static MeshCredentials load(Path serviceDir, Duration refresh) throws IOException, GeneralSecurityException {
        if (refresh == null || refresh.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("refresh " + refresh + " must be at least 100ms");
        }
        return new MeshCredentials(serviceDir, refresh);
    }

    public static MeshCredentials load(Path serviceDir) throws IOException, GeneralSecurityException {
        return load(serviceDir, DEFAULT_REFRESH);
    }

    /** Client credentials; the server must present the SPIFFE ID of {@code expectedService} (null: any mesh identity). */
    public ChannelCredentials channelCredentials(String expectedService) throws IOException, GeneralSecurityException {
        return TlsChannelCredentials.newBuilder().keyManager(keyManager)
                .trustManager(trustManager(expectedService)).build();
    }

    /** Server credentials that require a client certificate issued under the mesh's roots. */
    public ServerCredentials serverCredentials() throws IOException, GeneralSecurityException {
        return TlsServerCredentials.newBuilder().keyManager(keyManager).trustManager(trustManager(null))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
    }

    private AdvancedTlsX509TrustManager trustManager(String expectedService) throws IOException, GeneralSecurityException {
        AdvancedTlsX509TrustManager.Builder b = AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION);
        if (expectedService != null) {
            b.setSslSocketAndEnginePeerVerifier(new SpiffePeerVerifier(expectedService));
        }
        AdvancedTlsX509TrustManager tm = b.build();
        // The reload handle lives as long as the executor: close() stops every reload at once.
        tm.updateTrustCredentials(file("roots.pem").toFile(), refresh.toMillis(), TimeUnit.MILLISECONDS, reloads);
        return tm;
    }

    private Path file(String name) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isReadable(f)) {
            throw new IOException(f + " is missing or unreadable: is the sidecar writing cert files for this service?");
        }
        return f;
    }

    @Override
    public void close() {
        keyReload.close();
        reloads.shutdownNow();
    }
}
