package dev.meshplane.sidecar.connect;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS contexts of one service: its leaf as server (public listener, client certificate
 * required) and as client (upstreams), both trusting every root of the bundle with the JDK's
 * PKIX validator (chains already validated against the bundle are remembered: {@link
 * ValidatedChains}). Host names are not checked: peers are identified by the SPIFFE ID in their
 * certificate, which the proxy checks after the handshake. TLS 1.3 only: every peer is a
 * Meshplane sidecar. The handshake and record crypto is BoringSSL's where available. Immutable;
 * rebuilt when the leaf or the bundle changes.
 */
record ServiceTls(LeafMaterial leaf, TrustBundle bundle, SslContext server, SslContext client) {
    static final String PROTOCOL = "TLSv1.3";
    /** AES-128-GCM first: with AES-NI it is the cheapest TLS 1.3 suite for the JDK (and OpenSSL). */
    static final List<String> CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    static ServiceTls build(LeafMaterial leaf, TrustBundle bundle) {
        try {
            X509ExtendedTrustManager trust = bundle.validated().wrap(pkix(bundle));
            X509Certificate[] chain = leaf.chain().toArray(X509Certificate[]::new);
            SslProvider provider = provider();
            // BoringSSL's TLS 1.3 suites are fixed (it prefers AES-GCM where the CPU has AES); the JDK's are set.
            List<String> suites = provider == SslProvider.JDK ? CIPHER_SUITES : null;
            SslContext server = SslContextBuilder.forServer(leaf.key(), chain).trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE).sslProvider(provider).protocols(PROTOCOL).ciphers(suites)
                    .build();
            SslContext client = SslContextBuilder.forClient().keyManager(leaf.key(), chain).trustManager(trust)
                    .sslProvider(provider).protocols(PROTOCOL).ciphers(suites)
                    .endpointIdentificationAlgorithm(null).build();
            return new ServiceTls(leaf, bundle, server, client);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build TLS contexts for " + leaf.issued().getService() + ": " + e, e);
        }
    }

    /** BoringSSL when its native library loads (linux-x86_64), else the JDK's TLS. */
    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The JDK's PKIX trust manager over every root of the bundle. */
    static X509ExtendedTrustManager pkix(TrustBundle bundle) throws GeneralSecurityException, java.io.IOException {
        for (var tm : trustManagers(bundle).getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
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
