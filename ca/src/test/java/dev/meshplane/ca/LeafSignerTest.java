package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every X.509-SVID rule, checked on certificates the signer issues by parsing them back. */
class LeafSignerTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30.250Z");
    private static final TrustDomain TD = TrustDomain.forCluster("0e8a3c52-8d7b-4f59-9c8b-2f6a4f1d0c11");
    private static SigningCa root;
    private static LeafSigner signer;

    @BeforeAll
    static void setUp() {
        root = SigningCa.generateRoot(TD, NOW.minus(Duration.ofDays(1)), CaConfig.DEFAULTS);
        signer = new LeafSigner(root, "dc1", CaConfig.DEFAULTS, InstantSource.fixed(NOW));
    }

    private static IssuedLeaf issue(KeyPair keys, String service) {
        return signer.sign(LeafCsr.create(keys, SpiffeId.of(TD, "dc1", service)),
                SigningAuthorizer.services(Set.of(service)));
    }

    @Test
    void issuedLeafFollowsTheSvidProfile() throws Exception {
        KeyPair keys = EcKeys.generateP256();
        IssuedLeaf issued = issue(keys, "web");
        List<X509Certificate> chain = issued.chain();
        assertEquals(1, chain.size(), "a root without rotation adds no intermediates");
        X509Certificate leaf = chain.get(0);
        String uri = "spiffe://" + TD.name() + "/ns/default/dc/dc1/svc/web";

        assertEquals(3, leaf.getVersion());
        // Exactly one SAN, a URI, the SPIFFE ID; critical because the subject is empty.
        assertEquals(List.of(List.of(6, uri)), List.copyOf(leaf.getSubjectAlternativeNames()));
        assertEquals("", leaf.getSubjectX500Principal().getName());
        assertTrue(leaf.getCriticalExtensionOIDs().contains(Extension.subjectAlternativeName.getId()));
        // Basic constraints present, critical, cA=false.
        assertNotNull(leaf.getExtensionValue(Extension.basicConstraints.getId()));
        assertTrue(leaf.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        assertEquals(-1, leaf.getBasicConstraints());
        // Key usage critical, digitalSignature only (so never keyCertSign or cRLSign).
        assertTrue(leaf.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
        boolean[] usage = leaf.getKeyUsage();
        assertTrue(usage[0], "digitalSignature");
        for (int i = 1; i < usage.length; i++) {
            assertFalse(usage[i], "key usage bit " + i + " must be clear");
        }
        // Extended key usage: exactly serverAuth and clientAuth.
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage());
        // Subject key id of the leaf's own key; authority key id = the root's subject key id.
        assertArrayEquals(KeyIds.subjectKeyId(keys.getPublic()), CertFacts.subjectKeyId(leaf));
        byte[] aki = ASN1OctetString.getInstance(leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
                .getOctets();
        assertArrayEquals(CertFacts.subjectKeyId(root.certificate()),
                AuthorityKeyIdentifier.getInstance(aki).getKeyIdentifierOctets());
        // The key is the caller's (only its public half travelled), P-256, signed by the root.
        assertArrayEquals(keys.getPublic().getEncoded(), leaf.getPublicKey().getEncoded());
        assertNull(EcKeys.notP256(SubjectPublicKeyInfo.getInstance(leaf.getPublicKey().getEncoded())));
        assertEquals("SHA256withECDSA", leaf.getSigAlgName());
        leaf.verify(root.certificate().getPublicKey());
        assertEquals(root.certificate().getSubjectX500Principal(), leaf.getIssuerX500Principal());
        // Validity: backdated by the clock skew, 72 h by default, whole seconds.
        assertEquals(Instant.parse("2026-11-22T10:14:30Z"), leaf.getNotBefore().toInstant());
        assertEquals(Instant.parse("2026-11-25T10:15:30Z"), leaf.getNotAfter().toInstant());
        // A positive serial of at most 128 bits.
        assertTrue(leaf.getSerialNumber().signum() > 0 && leaf.getSerialNumber().bitLength() <= 128);

        // The record matches the certificate, in Consul's shapes.
        assertEquals(KeyIds.colonHex(leaf.getSerialNumber()), issued.serialNumber());
        assertTrue(issued.serialNumber().matches("([0-9a-f]{2}:)*[0-9a-f]{2}"), issued.serialNumber());
        assertEquals("web", issued.service());
        assertEquals(uri, issued.serviceUri());
        assertEquals(leaf.getNotBefore().toInstant(), issued.validAfter());
        assertEquals(leaf.getNotAfter().toInstant(), issued.validBefore());
        assertTrue(issued.certPem().startsWith("-----BEGIN CERTIFICATE-----\n"));
    }

    @Test
    void leafChainValidatesWithThePkixValidatorAgainstTheRoot() throws Exception {
        IssuedLeaf issued = issue(EcKeys.generateP256(), "api");
        Pkix.validate(issued.chain(), NOW, root.certificate());

        SigningCa stranger = SigningCa.generateRoot(TD, NOW.minus(Duration.ofDays(1)), CaConfig.DEFAULTS);
        assertFalse(Pkix.isValid(issued.chain(), NOW, stranger.certificate()),
                "a root of the same trust domain but another key must not validate it");
        assertFalse(Pkix.isValid(issued.chain(), NOW.plus(Duration.ofHours(73)), root.certificate()),
                "expired after its TTL");
    }

    @Test
    void serialsAreRandomAndDistinct() {
        KeyPair keys = EcKeys.generateP256();
        String csr = LeafCsr.create(keys, SpiffeId.of(TD, "dc1", "web"));
        Set<BigInteger> serials = new HashSet<>();
        int longSerials = 0;
        for (int i = 0; i < 200; i++) {
            BigInteger serial = signer.sign(csr, SigningAuthorizer.anyService()).certificate().getSerialNumber();
            serials.add(serial);
            if (serial.bitLength() > 120) {
                longSerials++;
            }
        }
        assertEquals(200, serials.size());
        // 128 random bits: fewer than 1 in 256 are shorter than 121 bits.
        assertTrue(longSerials > 180, "serials of more than 120 bits: " + longSerials);
    }

    @Test
    void ttlIsHonouredWithinOneHourToOneYear() {
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(TD, "dc1", "web"));
        SigningAuthorizer any = SigningAuthorizer.anyService();

        IssuedLeaf hour = signer.sign(csr, Duration.ofHours(1), any);
        assertEquals(NOW.plus(Duration.ofHours(1)).getEpochSecond(), hour.validBefore().getEpochSecond());
        IssuedLeaf year = signer.sign(csr, Duration.ofHours(8760), any);
        assertEquals(NOW.plus(Duration.ofHours(8760)).getEpochSecond(), year.validBefore().getEpochSecond());

        CaException shortTtl = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> signer.sign(csr, Duration.ofMinutes(59), any));
        assertEquals("leaf TTL 59m is outside the allowed 1h to 8760h", shortTtl.getMessage());
        CaException longTtl = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> signer.sign(csr, Duration.ofHours(8761), any));
        assertEquals("leaf TTL 8761h is outside the allowed 1h to 8760h", longTtl.getMessage());
        Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> signer.sign(csr, null, any));
    }

    @Test
    void leafNeverOutlivesItsRootAndANearlyExpiredRootRefuses() {
        CaConfig config = new CaConfig(Duration.ofHours(72), Duration.ofMinutes(1), java.time.Period.ofDays(10),
                16 * 1024);
        SigningCa shortRoot = SigningCa.generateRoot(TD, NOW, config);
        Instant rootEnd = shortRoot.certificate().getNotAfter().toInstant();
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(TD, "dc1", "web"));

        Instant nearEnd = rootEnd.minus(Duration.ofHours(30));
        IssuedLeaf clamped = new LeafSigner(shortRoot, "dc1", config, InstantSource.fixed(nearEnd))
                .sign(csr, SigningAuthorizer.anyService());
        assertEquals(rootEnd, clamped.validBefore());

        LeafSigner tooLate = new LeafSigner(shortRoot, "dc1", config,
                InstantSource.fixed(rootEnd.minus(Duration.ofMinutes(30))));
        CaException e = Refusals.refused(CaException.Kind.FAILED_PRECONDITION,
                () -> tooLate.sign(csr, SigningAuthorizer.anyService()));
        assertTrue(e.getMessage().contains("rotate the root"), e.getMessage());
    }

    @Test
    void csrForAnotherServiceIsRefused() {
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(TD, "dc1", "db"));
        CaException e = Refusals.refused(CaException.Kind.PERMISSION_DENIED,
                () -> signer.sign(csr, SigningAuthorizer.services(Set.of("web"))));
        assertEquals("caller may not obtain a certificate for service \"db\"", e.getMessage());
    }

    @Test
    void authorizerSeesTheWholeIdentity() {
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.of(TD, "dc1", "db"));
        List<SpiffeId> asked = new java.util.ArrayList<>();
        signer.sign(csr, id -> asked.add(id));
        assertEquals(List.of(SpiffeId.of(TD, "dc1", "db")), asked);
    }

    @Test
    void foreignTrustDomainDatacenterOrNamespaceIsRefused() {
        KeyPair keys = EcKeys.generateP256();
        SigningAuthorizer any = SigningAuthorizer.anyService();
        CaException td = Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> signer.sign(
                LeafCsr.create(keys, SpiffeId.of(new TrustDomain("other.consul"), "dc1", "web")), any));
        assertEquals("CSR names trust domain \"other.consul\"; this CA signs only for \"" + TD.name() + "\"",
                td.getMessage());
        CaException dc = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> signer.sign(LeafCsr.create(keys, SpiffeId.of(TD, "dc2", "web")), any));
        assertEquals("CSR names datacenter \"dc2\"; this CA signs only for datacenter \"dc1\"", dc.getMessage());
        CaException ns = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> signer.sign(LeafCsr.create(keys, new SpiffeId(TD, "team", "dc1", "web")), any));
        assertTrue(ns.getMessage().contains("namespace \"team\""), ns.getMessage());
    }

    @Test
    void signerRefusesABadDatacenterName() {
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> new LeafSigner(root, "dc 1", CaConfig.DEFAULTS, InstantSource.fixed(NOW)));
        assertTrue(e.getMessage().startsWith("datacenter \"dc 1\""), e.getMessage());
    }
}
