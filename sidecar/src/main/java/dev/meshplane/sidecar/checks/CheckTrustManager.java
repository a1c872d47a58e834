package dev.meshplane.sidecar.checks;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verifies a check target's certificate: the chain against the check's roots, then the name
 * against the check's server_name (or the host dialled). Doing the name check here, rather
 * than through the JDK's endpoint identification, is what lets one client verify a name that
 * differs from the host it connects to. With no delegate (skip_verify) it accepts anything.
 */
final class CheckTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final String serverName;

    /** @param delegate null to skip verification; @param serverName empty to verify the dialled host */
    CheckTrustManager(X509TrustManager delegate, String serverName) {
        this.delegate = delegate;
        this.serverName = serverName;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, authType, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        String host = socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostName();
        verify(chain, authType, host);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, authType, null);
    }

    private void verify(X509Certificate[] chain, String authType, String peerHost) throws CertificateException {
        if (delegate == null) {
            return;
        }
        delegate.checkServerTrusted(chain, authType);
        String expected = serverName.isEmpty() ? peerHost : serverName;
        if (expected == null || expected.isEmpty()) {
            throw new CertificateException("no server name to verify the certificate against; set tls_server_name");
        }
        List<String> names = names(chain[0]);
        if (!matchesAny(names, expected)) {
            throw new CertificateException("the server certificate is for " + names + ", not \"" + expected + "\"");
        }
    }

    static List<String> names(X509Certificate cert) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == 2 || type == 7) {
                    names.add(String.valueOf(san.get(1)));
                }
            }
        }
        return names;
    }

    static boolean matchesAny(List<String> names, String expected) {
        boolean ip = looksLikeIp(expected);
        for (String name : names) {
            if (ip ? sameAddress(name, expected) : dnsMatch(name, expected)) {
                return true;
            }
        }
        return false;
    }

    private static boolean looksLikeIp(String s) {
        return s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static boolean sameAddress(String a, String b) {
        if (!looksLikeIp(a)) {
            return false;
        }
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** RFC 6125: case-insensitive, a wildcard only as the whole leftmost label, matching one label. */
    private static boolean dnsMatch(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot).equals(p.substring(1));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a check never accepts client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a check never accepts client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a check never accepts client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
    }
}
