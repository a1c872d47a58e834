package dev.meshplane.sidecar.checks;

import dev.meshplane.api.ApiException;
import dev.meshplane.ca.Pem;
import dev.meshplane.proto.v1.TlsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the TLS pieces of a check from its options: a trust manager (the check's CA file or
 * the JDK's roots, verifying the server name itself so that SNI name and verified name can be
 * set per check, or nothing at all with skip_verify) and the optional client certificate.
 * Problems with the files are registration errors naming the field and the file.
 */
final class TlsSetup {
    private static final char[] PASSWORD = "in-memory".toCharArray();

    private TlsSetup() {}

    /** A client certificate chain and its key. */
    record ClientKey(PrivateKey key, X509Certificate[] chain) {}

    static CheckTrustManager trustManager(String field, TlsOptions tls) {
        if (tls.getSkipVerify()) {
            return new CheckTrustManager(null, tls.getServerName());
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.getCaFile().isEmpty()) {
                factory.init((KeyStore) null);
            } else {
                List<X509Certificate> cas = certificates(field + ".ca_file", tls.getCaFile());
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                factory.init(store);
            }
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return new CheckTrustManager(x509, tls.getServerName());
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw ApiException.invalidArgument(field + ".ca_file", "cannot build a trust store: " + e.getMessage());
        }
    }

    /** The client certificate, or null when the options name none. Both files or neither. */
    static ClientKey clientKey(String field, TlsOptions tls) {
        if (tls.getCertFile().isEmpty() && tls.getKeyFile().isEmpty()) {
            return null;
        }
        if (tls.getCertFile().isEmpty() || tls.getKeyFile().isEmpty()) {
            throw ApiException.invalidArgument(field, "cert_file and key_file must be given together");
        }
        List<X509Certificate> chain = certificates(field + ".cert_file", tls.getCertFile());
        PrivateKey key = privateKey(field + ".key_file", tls.getKeyFile());
        return new ClientKey(key, chain.toArray(X509Certificate[]::new));
    }

    /** A JDK SSL context with the check's trust and client certificate (for the HTTP client). */
    static SSLContext sslContext(String field, TlsOptions tls) {
        CheckTrustManager trust = trustManager(field, tls);
        ClientKey key = clientKey(field, tls);
        try {
            KeyManager[] keyManagers = null;
            if (key != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", key.key(), PASSWORD, key.chain());
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, PASSWORD);
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw ApiException.invalidArgument(field, "cannot set up TLS: " + e.getMessage());
        }
    }

    private static String read(String field, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw ApiException.invalidArgument(field, "cannot read \"" + file + "\": " + e);
        }
    }

    private static List<X509Certificate> certificates(String field, String file) {
        String pem = read(field, file);
        try {
            return Pem.parseCertificates(pem, "\"" + file + "\"");
        } catch (RuntimeException e) {
            throw ApiException.invalidArgument(field, e.getMessage());
        }
    }

    private static PrivateKey privateKey(String field, String file) {
        String pem = read(field, file);
        try {
            return Pem.parsePrivateKey(pem, "\"" + file + "\"");
        } catch (RuntimeException notEc) {
            // Pem reads EC keys only; an RSA key in PKCS#8 is common for HTTPS clients.
            String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            if (pem.contains("BEGIN PRIVATE KEY")) {
                try {
                    return KeyFactory.getInstance("RSA").generatePrivate(
                            new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    // fall through to the original, more specific message
                }
            }
            throw ApiException.invalidArgument(field, notEc.getMessage()
                    + " (an unencrypted PKCS#8 EC or RSA key, or a SEC1 EC key, is expected)");
        }
    }
}
