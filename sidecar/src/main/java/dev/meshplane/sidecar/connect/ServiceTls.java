package dev.meshplane.sidecar.connect;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS contexts of one service: its leaf as server (public listener, client certificate
 * required) and as client (upstreams), both trusting every root of the bundle with the JDK's
 * PKIX validator. Host names are not checked: peers are identified by the SPIFFE ID in their
 * certificate, which the proxy checks after the handshake. TLS 1.3 only: every peer is a
 * Meshplane sidecar. Immutable; rebuilt when the leaf or the bundle changes.
 */
record ServiceTls(LeafMaterial leaf, TrustBundle bundle, SslContext server, SslContext client) {
    static final String PROTOCOL = "TLSv1.3";
    /** AES-128-GCM first: with AES-NI it is the cheapest TLS 1.3 suite for the JDK (and OpenSSL). */
    static final java.util.List<String> CIPHER_SUITES = java.util.List.of("TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    static ServiceTls build(LeafMaterial leaf, TrustBundle bundle) {
        try {
            TrustManagerFactory trust = trustManagers(bundle);
            X509Certificate[] chain = leaf.chain().toArray(X509Certificate[]::new);
            SslContext server = SslContextBuilder.forServer(leaf.key(), chain).trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE).sslProvider(SslProvider.JDK).protocols(PROTOCOL).ciphers(CIPHER_SUITES)
                    .build();
            SslContext client = SslContextBuilder.forClient().keyManager(leaf.key(), chain).trustManager(trust)
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOL).ciphers(CIPHER_SUITES)
                    .endpointIdentificationAlgorithm(null).build();
            return new ServiceTls(leaf, bundle, server, client);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build TLS contexts for " + leaf.issued().getService() + ": " + e, e);
        }
    }

    static TrustManagerFactory trustManagers(TrustBundle bundle) throws GeneralSecurityException, java.io.IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < bundle.roots().size(); i++) {
            store.setCertificateEntry("root-" + i, bundle.roots().get(i));
        }
        PKIXBuilderParameters params = new PKIXBuilderParameters(store, new X509CertSelector());
        // Leaves are short-lived instead of revocable (as in Consul): there is nothing to check.
        params.setRevocationEnabled(false);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(new CertPathTrustManagerParameters(params));
        return factory;
    }
}
