package dev.meshplane.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A JDK mTLS client for talking straight to a sidecar's public listener, as any caller could. */
final class MeshTls {
    private MeshTls() {}

    /**
     * Connects with {@code key}/{@code chain} as client certificate, trusting {@code roots}, sends
     * "ping" and returns what came back ("" when the connection was closed or failed).
     */
    static String ping(int port, PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots)
            throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("leaf", key, new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < roots.size(); i++) {
            trust.setCertificateEntry("root-" + i, roots.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket()) {
            s.setSoTimeout(3000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write("ping".getBytes());
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4];
            int got = 0;
            while (got < 4) {
                int n = in.read(buf, got, 4 - got);
                if (n < 0) {
                    return new String(buf, 0, got);
                }
                got += n;
            }
            return new String(buf);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
