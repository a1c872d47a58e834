package dev.meshplane.sidecar.connect;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Remembers peer chains that passed full PKIX validation against one trust bundle, so that the
 * next handshake with the same chain (the same peer sidecar, for the life of its leaf) costs a
 * hash instead of a path validation with signature checks. A hit is only a chain byte-for-byte
 * equal to one validated for the same use (client or server), and still within every
 * certificate's validity. A new bundle (rotation, pruning) starts a new, empty set. Bounded:
 * past {@link #MAX_ENTRIES} it is cleared and refills.
 */
final class ValidatedChains {
    static final int MAX_ENTRIES = 4096;

    private final ConcurrentHashMap<String, Long> notAfterByChain = new ConcurrentHashMap<>();

    /** {@code pkix} with this cache in front. */
    X509ExtendedTrustManager wrap(X509ExtendedTrustManager pkix) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain, "client", () -> pkix.checkClientTrusted(chain, authType, socket));
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                check(chain, "server", () -> pkix.checkServerTrusted(chain, authType, socket));
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain, "client", () -> pkix.checkClientTrusted(chain, authType, engine));
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                check(chain, "server", () -> pkix.checkServerTrusted(chain, authType, engine));
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain, "client", () -> pkix.checkClientTrusted(chain, authType));
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain, "server", () -> pkix.checkServerTrusted(chain, authType));
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return pkix.getAcceptedIssuers();
            }
        };
    }

    private interface Validation {
        void run() throws CertificateException;
    }

    private void check(X509Certificate[] chain, String use, Validation full) throws CertificateException {
        String key = key(chain, use);
        long now = System.currentTimeMillis();
        Long notAfter = notAfterByChain.get(key);
        if (notAfter != null && now < notAfter && notBeforeAll(chain, now)) {
            return;
        }
        full.run();
        if (notAfterByChain.size() >= MAX_ENTRIES) {
            notAfterByChain.clear();
        }
        long earliestEnd = Long.MAX_VALUE;
        for (X509Certificate c : chain) {
            earliestEnd = Math.min(earliestEnd, c.getNotAfter().getTime());
        }
        notAfterByChain.put(key, earliestEnd);
    }

    private static boolean notBeforeAll(X509Certificate[] chain, long now) {
        for (X509Certificate c : chain) {
            if (c.getNotBefore().after(new Date(now))) {
                return false;
            }
        }
        return true;
    }

    private static String key(X509Certificate[] chain, String use) throws CertificateException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(use.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (X509Certificate c : chain) {
                byte[] der = c.getEncoded();
                sha.update((byte) (der.length >>> 24));
                sha.update((byte) (der.length >>> 16));
                sha.update((byte) (der.length >>> 8));
                sha.update((byte) der.length);
                sha.update(der);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new CertificateException("cannot fingerprint the peer's chain: " + e.getMessage(), e);
        }
    }

    int size() {
        return notAfterByChain.size();
    }
}
