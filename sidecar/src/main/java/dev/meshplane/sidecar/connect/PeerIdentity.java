package dev.meshplane.sidecar.connect;

import dev.meshplane.ca.CaException;
import dev.meshplane.ca.SpiffeId;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The SPIFFE ID of the peer of a finished handshake, or why there is none usable. */
final class PeerIdentity {
    private static final int URI_SAN = 6;

    private PeerIdentity() {}

    /** The peer's service ID when its leaf carries exactly one valid SPIFFE ID; else empty. */
    static Optional<SpiffeId> of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            List<String> uris = new ArrayList<>();
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (((Integer) san.get(0)) == URI_SAN) {
                        uris.add((String) san.get(1));
                    }
                }
            }
            return uris.size() == 1 ? Optional.of(SpiffeId.parse(uris.get(0))) : Optional.empty();
        } catch (SSLPeerUnverifiedException | CertificateParsingException | CaException e) {
            return Optional.empty();
        }
    }
}
