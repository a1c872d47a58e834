package dev.meshplane.ca;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The server side of issuance: checks a CSR, asks whether the caller may have the identity it
 * names, and signs an X.509-SVID with the active root. Stateless apart from the root it was
 * built with; safe to call from many threads. Replace it (not mutate it) when the root rotates.
 */
public final class LeafSigner {
    private static final X500Name EMPTY_SUBJECT = new X500Name(new RDN[0]);

    private final SigningCa ca;
    private final String datacenter;
    private final CaConfig config;
    private final InstantSource clock;

    public LeafSigner(SigningCa ca, String datacenter, CaConfig config, InstantSource clock) {
        String problem = datacenter == null ? "is missing (null)" : SpiffeUri.segmentProblem(datacenter);
        if (problem != null) {
            throw CaException.invalid("datacenter " + Quote.of(datacenter) + ": " + problem);
        }
        this.ca = Objects.requireNonNull(ca, "ca");
        this.datacenter = datacenter;
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signs with the configured default TTL. */
    public IssuedLeaf sign(String csrPem, SigningAuthorizer authorizer) {
        return sign(csrPem, config.leafTtl(), authorizer);
    }

    /**
     * Signs {@code csrPem} for {@code ttl} (1 h to 8,760 h) if {@code authorizer} allows its
     * SPIFFE ID. Refusals are {@link CaException}s: INVALID_ARGUMENT for a bad CSR, a foreign
     * trust domain or datacenter, or a TTL out of bounds; PERMISSION_DENIED when the caller may
     * not sign for the service; FAILED_PRECONDITION when the root expires too soon to issue.
     */
    public IssuedLeaf sign(String csrPem, Duration ttl, SigningAuthorizer authorizer) {
        Objects.requireNonNull(authorizer, "authorizer");
        checkTtl(ttl);
        CsrCheck.Checked csr = CsrCheck.check(csrPem, config.maxCsrPemBytes());
        SpiffeId id = csr.id();
        if (!id.trustDomain().equals(ca.trustDomain())) {
            throw CaException.invalid("CSR names trust domain " + Quote.of(id.trustDomain().name())
                    + "; this CA signs only for " + Quote.of(ca.trustDomain().name()));
        }
        if (!id.datacenter().equals(datacenter)) {
            throw CaException.invalid("CSR names datacenter " + Quote.of(id.datacenter())
                    + "; this CA signs only for datacenter " + Quote.of(datacenter));
        }
        if (!id.namespace().equals(SpiffeId.DEFAULT_NAMESPACE)) {
            throw CaException.invalid("CSR names namespace " + Quote.of(id.namespace())
                    + "; Meshplane has only the namespace \"default\"");
        }
        if (!authorizer.maySign(id)) {
            throw CaException.denied("caller may not obtain a certificate for service " + Quote.of(id.service()));
        }
        Instant now = clock.instant();
        Instant notBefore = now.minus(config.clockSkew()).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = validUntil(now, ttl);
        X509Certificate leaf = CertIssuer.issue(new CertIssuer.Request(ca.subject(), ca.privateKey(),
                Serials.leaf(), notBefore, notAfter, EMPTY_SUBJECT, csr.publicKey(),
                CertProfiles.leaf(KeyIds.subjectKeyId(csr.publicKey()), ca.keyId(), id)));
        List<X509Certificate> chain = new ArrayList<>(1 + ca.intermediates().size());
        chain.add(leaf);
        chain.addAll(ca.intermediates());
        return new IssuedLeaf(KeyIds.colonHex(leaf.getSerialNumber()), Pem.certificates(chain), id.service(),
                id.uri(), notBefore, notAfter);
    }

    /** NotAfter: now + ttl, cut back to the root's own NotAfter, which must leave at least the minimum TTL. */
    private Instant validUntil(Instant now, Duration ttl) {
        Instant rootNotBefore = CertFacts.notBefore(ca.certificate());
        Instant rootNotAfter = CertFacts.notAfter(ca.certificate());
        if (now.isBefore(rootNotBefore)) {
            throw CaException.precondition("root " + ca.certificate().getSubjectX500Principal()
                    + " is not valid until " + rootNotBefore + " (now " + now + "); check the server's clock");
        }
        Instant wanted = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        if (!wanted.isAfter(rootNotAfter)) {
            return wanted;
        }
        if (Duration.between(now, rootNotAfter).compareTo(CaConfig.MIN_LEAF_TTL) < 0) {
            throw CaException.precondition("root " + ca.certificate().getSubjectX500Principal() + " expires at "
                    + rootNotAfter + ", less than " + Durations.format(CaConfig.MIN_LEAF_TTL)
                    + " from now; rotate the root");
        }
        return rootNotAfter;
    }

    private static void checkTtl(Duration ttl) {
        if (ttl == null || ttl.compareTo(CaConfig.MIN_LEAF_TTL) < 0 || ttl.compareTo(CaConfig.MAX_LEAF_TTL) > 0) {
            throw CaException.invalid("leaf TTL " + Durations.format(ttl) + " is outside the allowed "
                    + Durations.format(CaConfig.MIN_LEAF_TTL) + " to " + Durations.format(CaConfig.MAX_LEAF_TTL));
        }
    }
}
