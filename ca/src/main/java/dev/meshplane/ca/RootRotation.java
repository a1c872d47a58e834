package dev.meshplane.ca;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Root rotation without a failed connection. The old root cross-signs the new one: a CA
 * certificate with the new root's subject and key, issued by the old root. Leaves of the new
 * root are sent with it, so a peer that still trusts only the old root builds
 * leaf -> cross-signed -> old root, while a peer that has the new root stops at the leaf's
 * issuer. Both roots are published until the old one is pruned ({@link CaRoots#pruned}).
 */
public final class RootRotation {
    /** The roots after a rotation and the signer of the new active root, with its cross-signed certificate. */
    public record Result(CaRoots roots, SigningCa signer) {}

    private RootRotation() {}

    /**
     * Makes {@code incoming} the active root of {@code roots}. {@code current} must be the
     * signer of the active root (its key does the cross-signing); {@code incoming} is a freshly
     * generated root or one an operator provides, of the same trust domain. The cross-signed
     * certificate is backdated by {@code config.clockSkew()}.
     */
    public static Result rotate(CaRoots roots, SigningCa current, SigningCa incoming, Instant now, CaConfig config) {
        if (!current.id().equals(roots.activeRootId())) {
            throw CaException.precondition("the signer given is for root " + current.id()
                    + ", but the active root is " + roots.activeRootId());
        }
        if (!incoming.trustDomain().equals(roots.trustDomain())) {
            throw CaException.invalid("the new root is for trust domain " + Quote.of(incoming.trustDomain().name())
                    + "; these roots are for " + Quote.of(roots.trustDomain().name()));
        }
        if (roots.roots().stream().anyMatch(r -> r.id().equals(incoming.id()))) {
            throw CaException.invalid("root " + incoming.id() + " is already one of the roots");
        }
        if (incoming.subject().equals(current.subject())) {
            throw CaException.invalid("the new root has the same subject as the active root ("
                    + current.certificate().getSubjectX500Principal() + "); peers could not tell their chains apart");
        }
        X509Certificate crossSigned = crossSign(current, incoming, now, config);
        SigningCa signer = incoming.withIntermediates(List.of(crossSigned));
        List<CaRoot> next = new ArrayList<>();
        next.add(CaRoot.of(signer, true, Optional.empty()));
        for (CaRoot root : roots.roots()) {
            next.add(root.active() ? root.rotatedOut(now) : root);
        }
        return new Result(new CaRoots(signer.id(), roots.trustDomain(), next), signer);
    }

    /**
     * The new root's subject and key under the old root's signature. Valid until the earlier of
     * the two roots' ends: past the old root's it could not chain anyway.
     */
    static X509Certificate crossSign(SigningCa oldRoot, SigningCa newRoot, Instant now, CaConfig config) {
        X509Certificate newCert = newRoot.certificate();
        Instant notBefore = now.minus(config.clockSkew()).truncatedTo(ChronoUnit.SECONDS);
        Instant oldEnd = CertFacts.notAfter(oldRoot.certificate());
        Instant newEnd = CertFacts.notAfter(newCert);
        Instant notAfter = oldEnd.isBefore(newEnd) ? oldEnd : newEnd;
        return CertIssuer.issue(new CertIssuer.Request(oldRoot.subject(), oldRoot.privateKey(),
                Serials.caCertificate(), notBefore, notAfter, newRoot.subject(),
                SubjectPublicKeyInfo.getInstance(newCert.getPublicKey().getEncoded()),
                CertProfiles.certificateAuthority(newRoot.keyId(), oldRoot.keyId(), newRoot.trustDomain())));
    }
}
