package dev.meshplane.client;

import io.grpc.util.AdvancedTlsX509TrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;

/** Accepts a peer whose leaf carries the SPIFFE ID of one service: a URI SAN ending in /svc/NAME. */
final class SpiffePeerVerifier implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
    /** The SAN type number of a URI (RFC 5280). */
    private static final int URI_SAN = 6;
    private final String service;

    SpiffePeerVerifier(String service) {
        this.service = service;
    }

    @Override
    public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        String id = spiffeId(chain[0]);
        if (id == null || !id.startsWith("spiffe://") || !id.endsWith("/svc/" + service)) {
            throw new CertificateException("the peer's identity " + (id == null ? "(no SPIFFE ID)" : id)
                    + " is not service " + service);
        }
    }

    static String spiffeId(X509Certificate leaf) throws CertificateParsingException {
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans == null) {
            return null;
        }
        for (List<?> san : sans) {
            if (san.size() >= 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
                return String.valueOf(san.get(1));
            }
        }
        return null;
    }
}
