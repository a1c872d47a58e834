package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RootRotationTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant ROTATION = T0.plus(Duration.ofDays(30));
    private static final TrustDomain TD = TrustDomain.forCluster("0e8a3c52-8d7b-4f59-9c8b-2f6a4f1d0c11");

    private SigningCa oldRoot;
    private SigningCa newRoot;
    private CaRoots before;
    private RootRotation.Result rotated;

    @BeforeEach
    void rotate() {
        oldRoot = SigningCa.generateRoot(TD, T0, CaConfig.DEFAULTS);
        before = CaRoots.initial(oldRoot);
        newRoot = SigningCa.generateRoot(TD, ROTATION, CaConfig.DEFAULTS);
        rotated = RootRotation.rotate(before, oldRoot, newRoot, ROTATION, CaConfig.DEFAULTS);
    }

    private static IssuedLeaf leaf(SigningCa ca, Instant at, String service) {
        LeafSigner signer = new LeafSigner(ca, "dc1", CaConfig.DEFAULTS, InstantSource.fixed(at));
        return signer.sign(LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(TD, "dc1", service)),
                SigningAuthorizer.anyService());
    }

    @Test
    void crossSignedCertificateCarriesTheNewRootsNameAndKeyUnderTheOldRoot() throws Exception {
        X509Certificate cross = rotated.signer().intermediates().get(0);
        X509Certificate fresh = newRoot.certificate();
        assertEquals(fresh.getSubjectX500Principal(), cross.getSubjectX500Principal());
        assertArrayEquals(fresh.getPublicKey().getEncoded(), cross.getPublicKey().getEncoded());
        assertEquals(oldRoot.certificate().getSubjectX500Principal(), cross.getIssuerX500Principal());
        cross.verify(oldRoot.certificate().getPublicKey());
        assertTrue(cross.getBasicConstraints() >= 0, "cA=true");
        assertTrue(cross.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        assertTrue(cross.getKeyUsage()[5] && cross.getKeyUsage()[6], "keyCertSign and cRLSign");
        assertArrayEquals(CertFacts.subjectKeyId(fresh), CertFacts.subjectKeyId(cross));
        assertEquals(List.of(TD.uri()), CertFacts.uriSans(cross));
        assertEquals(ROTATION.minus(Duration.ofMinutes(1)), cross.getNotBefore().toInstant());
        assertEquals(oldRoot.certificate().getNotAfter(), cross.getNotAfter(), "ends with the old root");
    }

    @Test
    void newRootLeafValidatesAgainstOnlyTheOldRootThroughTheCrossSignedCertificate() throws Exception {
        IssuedLeaf issued = leaf(rotated.signer(), ROTATION.plusSeconds(10), "web");
        List<X509Certificate> chain = issued.chain();
        assertEquals(2, chain.size(), "leaf then cross-signed root");
        assertEquals(rotated.signer().intermediates().get(0), chain.get(1));
        Instant at = ROTATION.plusSeconds(20);

        // A peer that has not seen the rotation yet: trusts only the old root.
        Pkix.validate(chain, at, oldRoot.certificate());
        // A peer that has only the new root validates the leaf alone ...
        Pkix.validate(chain.subList(0, 1), at, newRoot.certificate());
        // ... and path building from the same presented chain finds the short path too.
        PKIXCertPathBuilderResult built = Pkix.build(chain.get(0), chain, at, newRoot.certificate());
        assertEquals(newRoot.certificate(), built.getTrustAnchor().getTrustedCert());
        assertEquals(1, built.getCertPath().getCertificates().size());
        // And a peer trusting the published bundle (both roots) accepts both forms.
        X509Certificate[] bundle = rotated.roots().trustBundle().toArray(X509Certificate[]::new);
        Pkix.validate(chain, at, bundle);
        Pkix.validate(chain.subList(0, 1), at, bundle);
        // The presented chain does not validate against an unrelated root.
        SigningCa stranger = SigningCa.generateRoot(TD, T0, CaConfig.DEFAULTS);
        assertFalse(Pkix.isValid(chain, at, stranger.certificate()));
    }

    @Test
    void leavesOfTheOldRootStayValidAgainstTheBundle() throws Exception {
        IssuedLeaf oldLeaf = leaf(oldRoot, ROTATION.minus(Duration.ofHours(1)), "db");
        Instant at = ROTATION.plus(Duration.ofHours(1));
        Pkix.validate(oldLeaf.chain(), at, rotated.roots().trustBundle().toArray(X509Certificate[]::new));
        assertFalse(Pkix.isValid(oldLeaf.chain(), at, newRoot.certificate()),
                "an old-root leaf needs the old root: why it stays published until pruned");
    }

    @Test
    void rootsModelAfterRotation() {
        CaRoots roots = rotated.roots();
        assertEquals(newRoot.id(), roots.activeRootId());
        assertEquals(2, roots.roots().size());
        CaRoot active = roots.roots().get(0);
        CaRoot retired = roots.roots().get(1);
        assertSame(active, roots.active());
        assertTrue(active.active());
        assertEquals(newRoot.id(), active.id());
        assertEquals(List.of(Pem.certificate(rotated.signer().intermediates().get(0))), active.intermediateCerts());
        assertEquals(Optional.empty(), active.rotatedOutAt());
        assertFalse(retired.active());
        assertEquals(oldRoot.id(), retired.id());
        assertEquals(Optional.of(ROTATION), retired.rotatedOutAt());
        assertEquals(List.of(newRoot.certificate(), oldRoot.certificate()), roots.trustBundle());
        assertEquals(newRoot.certificatePem() + oldRoot.certificatePem(), roots.trustBundlePem());
        assertEquals(2, roots.trustAnchors().size());
    }

    @Test
    void oldRootIsDroppedAfterTwiceTheLeafTtl() {
        Duration ttl = CaConfig.DEFAULTS.leafTtl();
        CaRoots roots = rotated.roots();
        Instant dropAt = ROTATION.plus(ttl.multipliedBy(2));
        assertSame(roots, roots.pruned(dropAt.minusSeconds(1), ttl), "kept until twice the leaf TTL has passed");
        CaRoots pruned = roots.pruned(dropAt, ttl);
        assertEquals(List.of(newRoot.id()), pruned.roots().stream().map(CaRoot::id).toList());
        assertEquals(newRoot.id(), pruned.activeRootId());
        assertEquals(List.of(newRoot.certificate()), pruned.trustBundle());
    }

    @Test
    void anExpiredRetiredRootIsDroppedAndTheActiveRootNeverIs() {
        Instant farFuture = oldRoot.certificate().getNotAfter().toInstant().plusSeconds(1);
        CaRoots pruned = rotated.roots().pruned(farFuture, Duration.ofDays(365 * 20));
        assertEquals(List.of(newRoot.id()), pruned.roots().stream().map(CaRoot::id).toList());
        assertSame(before, before.pruned(ROTATION.plus(Duration.ofDays(3650 * 2)), Duration.ofHours(1)));
    }

    @Test
    void aNewLeaderRebuildsTheSignerWithItsCrossSignedCertificate() {
        CaRoots roots = rotated.roots();
        SigningCa rebuilt = SigningCa.forActiveRoot(roots, newRoot.privateKeyPem(), ROTATION.plusSeconds(60));
        assertEquals(newRoot.id(), rebuilt.id());
        assertEquals(rotated.signer().intermediates(), rebuilt.intermediates());
        assertEquals(2, leaf(rebuilt, ROTATION.plusSeconds(60), "web").chain().size());
    }

    @Test
    void rebuildingRefusesAnIntermediateThatIsNotACopyOfTheRoot() {
        CaRoot active = rotated.roots().active();
        CaRoot tampered = new CaRoot(active.id(), active.name(), active.serialNumber(), active.signingKeyId(),
                active.notBefore(), active.notAfter(), active.rootCert(), List.of(oldRoot.certificatePem()), true,
                Optional.empty());
        CaRoots roots = new CaRoots(active.id(), TD, List.of(tampered, rotated.roots().roots().get(1)));
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.forActiveRoot(roots, newRoot.privateKeyPem(), ROTATION));
        assertTrue(e.getMessage().contains("does not carry the subject and key of root"), e.getMessage());
    }

    @Test
    void aSecondRotationChainsFromTheNewestRoot() throws Exception {
        Instant later = ROTATION.plus(Duration.ofDays(30));
        SigningCa third = SigningCa.generateRoot(TD, later, CaConfig.DEFAULTS);
        RootRotation.Result again = RootRotation.rotate(rotated.roots(), rotated.signer(), third, later,
                CaConfig.DEFAULTS);
        assertEquals(3, again.roots().roots().size());
        assertEquals(List.of(third.id(), newRoot.id(), oldRoot.id()),
                again.roots().roots().stream().map(CaRoot::id).toList());
        assertEquals(Optional.of(ROTATION), again.roots().roots().get(2).rotatedOutAt(), "kept its own retirement");
        List<X509Certificate> chain = leaf(again.signer(), later, "web").chain();
        Pkix.validate(chain, later.plusSeconds(1), newRoot.certificate());
    }

    @Test
    void rotationRefusesInconsistentInput() {
        Refusals.refused(CaException.Kind.FAILED_PRECONDITION,
                () -> RootRotation.rotate(rotated.roots(), oldRoot, SigningCa.generateRoot(TD, ROTATION,
                        CaConfig.DEFAULTS), ROTATION, CaConfig.DEFAULTS));
        CaException again = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> RootRotation.rotate(before, oldRoot, oldRoot, ROTATION, CaConfig.DEFAULTS));
        assertTrue(again.getMessage().endsWith("is already one of the roots"), again.getMessage());
        SigningCa foreign = SigningCa.generateRoot(new TrustDomain("other.consul"), ROTATION, CaConfig.DEFAULTS);
        CaException td = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> RootRotation.rotate(before, oldRoot, foreign, ROTATION, CaConfig.DEFAULTS));
        assertTrue(td.getMessage().contains("\"other.consul\""), td.getMessage());
    }

    @Test
    void rootsModelRefusesAnInconsistentActiveRoot() {
        CaRoot a = CaRoot.of(oldRoot, true, Optional.empty());
        CaRoot b = CaRoot.of(newRoot, true, Optional.empty());
        IllegalArgumentException two = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CaRoots(a.id(), TD, List.of(a, b)));
        assertTrue(two.getMessage().contains("must be the one root marked active"), two.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CaRoots(a.id(), TD, List.of(a, a)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CaRoots("nope", TD, List.of(a)));
    }
}
