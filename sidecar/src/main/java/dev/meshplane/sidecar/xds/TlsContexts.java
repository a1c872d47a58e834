package dev.meshplane.sidecar.xds;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * TLS settings that point gRPC at the certificate provider instance of its bootstrap (a
 * file_watcher over the sidecar's cert files) for both its own certificate and the roots it
 * trusts. gRPC accepts only provider instances here: inline certificates and SDS are refused.
 */
final class TlsContexts {
    private TlsContexts() {}

    static CommonTlsContext common(String providerInstance, List<StringMatcher> peerSans) {
        CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder()
                .setCaCertificateProviderInstance(CertificateProviderPluginInstance.newBuilder()
                        .setInstanceName(providerInstance).setCertificateName(MeshResources.ROOT_CERT_NAME));
        validation.addAllMatchSubjectAltNames(peerSans);
        return CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(CertificateProviderPluginInstance.newBuilder()
                        .setInstanceName(providerInstance).setCertificateName(MeshResources.IDENTITY_CERT_NAME))
                .setValidationContext(validation)
                .build();
    }
}
