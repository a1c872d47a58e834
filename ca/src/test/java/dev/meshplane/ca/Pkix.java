package dev.meshplane.ca;

import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The JDK's own PKIX path validation (revocation off), as a TLS peer would run it. */
final class Pkix {
    private Pkix() {}

    /** Validates exactly {@code chain} (leaf first, anchor excluded) against {@code anchors}; throws if invalid. */
    static PKIXCertPathValidatorResult validate(List<X509Certificate> chain, Instant at, X509Certificate... anchors)
            throws Exception {
        PKIXParameters params = new PKIXParameters(anchors(anchors));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        return (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    }

    static boolean isValid(List<X509Certificate> chain, Instant at, X509Certificate... anchors) throws Exception {
        try {
            validate(chain, at, anchors);
            return true;
        } catch (CertPathValidatorException e) {
            return false;
        }
    }

    /** Lets the JDK build a path from {@code leaf} through any of {@code pool} to one of {@code anchors}. */
    static PKIXCertPathBuilderResult build(X509Certificate leaf, List<X509Certificate> pool, Instant at,
            X509Certificate... anchors) throws Exception {
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(leaf);
        PKIXBuilderParameters params = new PKIXBuilderParameters(anchors(anchors), target);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
        return (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
    }

    private static Set<TrustAnchor> anchors(X509Certificate... anchors) {
        return List.of(anchors).stream().map(a -> new TrustAnchor(a, null)).collect(Collectors.toSet());
    }
}
