package dev.meshplane.ca;

import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The roots of a trust domain, in the shape of Consul's {@code /v1/connect/ca/roots}: what the
 * servers replicate (without keys) and every agent trusts. Exactly one root is active; the
 * others are rotated-out roots kept until leaves signed by them have been replaced.
 *
 * @param activeRootId the ID of the root that signs new leaves
 * @param trustDomain  the trust domain all roots belong to
 * @param roots        the active root first, then rotated-out roots, newest first
 */
public record CaRoots(String activeRootId, TrustDomain trustDomain, List<CaRoot> roots) {
    public CaRoots {
        Objects.requireNonNull(trustDomain, "trustDomain");
        roots = List.copyOf(roots);
        Set<String> ids = new HashSet<>();
        for (CaRoot root : roots) {
            if (!ids.add(root.id())) {
                throw new IllegalArgumentException("root " + root.id() + " appears twice");
            }
        }
        List<String> active = roots.stream().filter(CaRoot::active).map(CaRoot::id).toList();
        if (!active.equals(List.of(activeRootId))) {
            throw new IllegalArgumentException("activeRootId " + activeRootId
                    + " must be the one root marked active; active roots are " + active);
        }
    }

    /** The roots of a new cluster: {@code ca} alone, active. */
    public static CaRoots initial(SigningCa ca) {
        return new CaRoots(ca.id(), ca.trustDomain(), List.of(CaRoot.of(ca, true, Optional.empty())));
    }

    public CaRoot active() {
        return roots.stream().filter(CaRoot::active).findFirst().orElseThrow();
    }

    /** Every root certificate: what a peer must trust to accept any current leaf. */
    public List<X509Certificate> trustBundle() {
        return roots.stream().map(CaRoot::certificate).toList();
    }

    /** {@link #trustBundle()} as concatenated PEM: the "roots" file the sidecar writes for applications. */
    public String trustBundlePem() {
        return roots.stream().map(CaRoot::rootCert).collect(Collectors.joining());
    }

    /** {@link #trustBundle()} as PKIX trust anchors, for a {@code CertPathValidator} or trust manager. */
    public Set<TrustAnchor> trustAnchors() {
        return trustBundle().stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * These roots without the rotated-out ones that are no longer needed at {@code now}: those
     * rotated out at least twice {@code leafTtl} ago (every leaf they signed has expired or been
     * renewed from the new root by then) and those whose certificate has expired. The active
     * root always stays.
     */
    public CaRoots pruned(Instant now, Duration leafTtl) {
        Duration keep = leafTtl.multipliedBy(2);
        List<CaRoot> kept = new ArrayList<>();
        for (CaRoot root : roots) {
            boolean retired = root.rotatedOutAt().map(at -> !now.isBefore(at.plus(keep))).orElse(false);
            boolean expired = !now.isBefore(root.notAfter());
            if (root.active() || (!retired && !expired)) {
                kept.add(root);
            }
        }
        return kept.size() == roots.size() ? this : new CaRoots(activeRootId, trustDomain, kept);
    }
}
