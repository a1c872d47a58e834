package dev.meshplane.sidecar.connect;

import dev.meshplane.ca.Pem;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.v1.CaRoot;
import dev.meshplane.proto.v1.CaRootsResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The roots a sidecar trusts: every root the servers publish (the active one and those rotated
 * out but not yet dropped), so that leaves of either side of a rotation are accepted.
 *
 * @param activeRootId the root that signs new leaves; a change means "renew now"
 * @param trustDomain  the cluster's trust domain: peers must carry an ID in it
 * @param roots        the root certificates, the active one first
 * @param pem          the same as concatenated PEM (the roots file)
 * @param validated    peer chains already validated against these roots
 */
record TrustBundle(String activeRootId, TrustDomain trustDomain, List<X509Certificate> roots, String pem,
                   ValidatedChains validated) {
    static TrustBundle of(CaRootsResponse r) {
        List<X509Certificate> certs = r.getRootsList().stream()
                .map(root -> Pem.parseCertificate(root.getRootCert(), "root " + root.getId())).toList();
        String pem = r.getRootsList().stream().map(CaRoot::getRootCert).collect(Collectors.joining());
        return new TrustBundle(r.getActiveRootId(), new TrustDomain(r.getTrustDomain()), certs, pem,
                new ValidatedChains());
    }
}
