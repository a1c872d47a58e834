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
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * mTLS credentials from the files the sidecar keeps for one service ({@code cert.pem}, the leaf
 * and its chain; {@code key.pem}; {@code roots.pem}, the mesh's trusted roots). The files are read
 * again every {@code refresh}, so a renewed leaf or a rotated root is used for new connections
 * without a restart.
 * Peers are checked against the roots and, where asked, for the SPIFFE ID of an expected service
 * ({@code spiffe://<trust-domain>/ns/<ns>/dc/<dc>/svc/<service>}); host names are not checked,
 * since mesh certificates carry a SPIFFE URI and no DNS name.
 */
public final class MeshCredentials implements AutoCloseable {
    /** The sidecar renews leaves days before they expire; a minute is ample and cheap. */
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(MeshCredentials.class.getName());

    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final List<AdvancedTlsX509TrustManager> trustManagers = new CopyOnWriteArrayList<>();
    private final Path cert;
    private final Path key;
    private final Path roots;
    private final ScheduledExecutorService reloads;
    private List<FileTime> loaded;

    private MeshCredentials(Path dir, Duration refresh) throws IOException, GeneralSecurityException {
        this.cert = file(dir, "cert.pem");
        this.key = file(dir, "key.pem");
        this.roots = file(dir, "roots.pem");
        keyManager.updateIdentityCredentials(cert.toFile(), key.toFile());
        loaded = mtimes();
        // grpc-java's own file reloaders refuse periods under a minute; this one takes the caller's.
        this.reloads = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mesh-credentials-reload");
            t.setDaemon(true);
            return t;
        });
        reloads.scheduleWithFixedDelay(this::reloadIfChanged, refresh.toMillis(), refresh.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the files again when any changed. The modification times must be the same before and
     * after the read, or the sidecar was switching versions mid-read and the next tick tries again:
     * a certificate is never paired with another certificate's key.
     */
    private void reloadIfChanged() {
        try {
            List<FileTime> before = mtimes();
            if (before.equals(loaded)) {
                return;
            }
            keyManager.updateIdentityCredentials(cert.toFile(), key.toFile());
            for (AdvancedTlsX509TrustManager tm : trustManagers) {
                tm.updateTrustCredentials(roots.toFile());
            }
            if (mtimes().equals(before)) {
                loaded = before;
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warning("cannot reload mesh credentials from " + cert.getParent() + " (keeping the previous ones): " + e);
        }
    }

    private List<FileTime> mtimes() throws IOException {
        return List.of(Files.getLastModifiedTime(cert), Files.getLastModifiedTime(key), Files.getLastModifiedTime(roots));
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
        tm.updateTrustCredentials(roots.toFile());
        trustManagers.add(tm);
        return tm;
    }

    private static Path file(Path dir, String name) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isReadable(f)) {
            throw new IOException(f + " is missing or unreadable: is the sidecar writing cert files for this service?");
        }
        return f;
    }

    @Override
    public void close() {
        reloads.shutdownNow();
    }
}
