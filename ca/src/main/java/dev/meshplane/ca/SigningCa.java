package dev.meshplane.ca;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A root CA the servers can sign with: its certificate, its private key, and the certificates
 * that chain it to earlier roots (the cross-signed copy after a rotation). Only servers hold
 * one; everything others may see is in {@link CaRoot}. Immutable and safe to share.
 */
public final class SigningCa {
    /** X.520 upper bound of an organizationName, where a generated root carries the trust domain. */
    static final int MAX_ORGANIZATION_CHARS = 64;

    private final TrustDomain trustDomain;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> intermediates;
    private final X500Name subject;
    private final byte[] keyId;

    private SigningCa(TrustDomain trustDomain, X509Certificate certificate, PrivateKey privateKey,
            List<X509Certificate> intermediates) {
        this.trustDomain = trustDomain;
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.intermediates = List.copyOf(intermediates);
        this.subject = CertFacts.subject(certificate);
        this.keyId = CertFacts.subjectKeyId(certificate);
    }

    /**
     * A new self-signed root for {@code trustDomain}: EC P-256, valid from {@code now} minus
     * the clock skew for {@code config.rootValidity()}, named {@code CN=Meshplane CA <key id>,
     * O=<trust domain>} so that every root has a distinct subject.
     */
    public static SigningCa generateRoot(TrustDomain trustDomain, Instant now, CaConfig config) {
        if (trustDomain.name().length() > MAX_ORGANIZATION_CHARS) {
            throw CaException.invalid("trust domain " + Quote.of(trustDomain.name()) + " is "
                    + trustDomain.name().length() + " characters; a generated root carries it in its subject O"
                    + " attribute, which X.520 limits to " + MAX_ORGANIZATION_CHARS);
        }
        KeyPair keys = EcKeys.generateP256();
        byte[] keyId = KeyIds.subjectKeyId(keys.getPublic());
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, trustDomain.name())
                .addRDN(BCStyle.CN, "Meshplane CA " + HexFormat.of().formatHex(keyId, 0, 8))
                .build();
        Instant notBefore = now.minus(config.clockSkew()).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.atOffset(ZoneOffset.UTC).plus(config.rootValidity()).toInstant()
                .truncatedTo(ChronoUnit.SECONDS);
        X509Certificate cert = CertIssuer.issue(new CertIssuer.Request(name, keys.getPrivate(),
                Serials.caCertificate(), notBefore, notAfter, name,
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()),
                CertProfiles.certificateAuthority(keyId, keyId, trustDomain)));
        return new SigningCa(trustDomain, cert, keys.getPrivate(), List.of());
    }

    /**
     * A root loaded from PEM (one replicated by the servers, or one an operator provides),
     * checked by {@link RootCheck}: self-signed CA certificate of P-256, valid at {@code now},
     * for {@code trustDomain}, and {@code keyPem} is its private key.
     */
    public static SigningCa load(TrustDomain trustDomain, String certPem, String keyPem, Instant now) {
        X509Certificate cert = Pem.parseCertificate(certPem, "root certificate");
        PrivateKey key = Pem.parsePrivateKey(keyPem, "root private key");
        RootCheck.check(trustDomain, cert, key, now);
        return new SigningCa(trustDomain, cert, key, List.of());
    }

    /**
     * The signer of the active root of {@code roots}, rebuilt from its replicated state and
     * private key (what a newly elected leader does), with the root's intermediates attached.
     */
    public static SigningCa forActiveRoot(CaRoots roots, String keyPem, Instant now) {
        CaRoot active = roots.active();
        SigningCa ca = load(roots.trustDomain(), active.rootCert(), keyPem, now);
        List<X509Certificate> intermediates = active.intermediateCerts().stream()
                .map(pem -> Pem.parseCertificate(pem, "intermediate certificate of root " + active.id()))
                .toList();
        return ca.withIntermediates(intermediates);
    }

    /** This CA with {@code chain} sent after every leaf it signs; each must carry this CA's subject and key. */
    SigningCa withIntermediates(List<X509Certificate> chain) {
        for (X509Certificate c : chain) {
            boolean sameKey = Arrays.equals(c.getPublicKey().getEncoded(), certificate.getPublicKey().getEncoded());
            if (!CertFacts.subject(c).equals(subject) || !sameKey) {
                throw CaException.invalid("intermediate certificate " + c.getSubjectX500Principal()
                        + " (serial " + KeyIds.colonHex(c.getSerialNumber()) + ") does not carry the subject and key"
                        + " of root " + certificate.getSubjectX500Principal());
            }
            if (c.getBasicConstraints() < 0) {
                throw CaException.invalid("intermediate certificate " + c.getSubjectX500Principal()
                        + " is not a CA certificate (cA=false)");
            }
        }
        return new SigningCa(trustDomain, certificate, privateKey, chain);
    }

    public TrustDomain trustDomain() {
        return trustDomain;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Certificates sent after each leaf, nearest first (cross-signed copies of this root). */
    public List<X509Certificate> intermediates() {
        return intermediates;
    }

    /** The root's ID as {@link CaRoot#id()} shows it. */
    public String id() {
        return CertFacts.fingerprint(certificate);
    }

    public String certificatePem() {
        return Pem.certificate(certificate);
    }

    /** The private key as PKCS#8 PEM, for replication between servers only. */
    public String privateKeyPem() {
        return Pem.privateKey(privateKey);
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    X500Name subject() {
        return subject;
    }

    byte[] keyId() {
        return keyId.clone();
    }

    @Override
    public String toString() {
        return "SigningCa[" + certificate.getSubjectX500Principal() + ", trust domain " + trustDomain
                + ", " + intermediates.size() + " intermediate(s)]";
    }
}
