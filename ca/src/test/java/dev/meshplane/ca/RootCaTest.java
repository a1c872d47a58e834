package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

class RootCaTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30Z");
    private static final TrustDomain TD = TrustDomain.forCluster("0e8a3c52-8d7b-4f59-9c8b-2f6a4f1d0c11");

    @Test
    void generatedRootIsAP256CaForTheTrustDomainValidTenYears() throws Exception {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        X509Certificate root = ca.certificate();

        assertEquals(3, root.getVersion());
        root.verify(root.getPublicKey());
        assertEquals(root.getSubjectX500Principal(), root.getIssuerX500Principal());
        assertEquals(null, EcKeys.notP256(root.getPublicKey()));
        assertTrue(root.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        assertTrue(root.getBasicConstraints() >= 0, "cA=true");
        assertTrue(root.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
        boolean[] usage = root.getKeyUsage();
        for (int i = 0; i < usage.length; i++) {
            assertEquals(i == 5 || i == 6, usage[i], "key usage bit " + i + " (only keyCertSign and cRLSign)");
        }
        assertArrayEquals(KeyIds.subjectKeyId(root.getPublicKey()), CertFacts.subjectKeyId(root));
        assertEquals(List.of(TD.uri()), CertFacts.uriSans(root));
        String subject = root.getSubjectX500Principal().getName();
        assertTrue(subject.matches("CN=Meshplane CA [0-9a-f]{16},O=" + TD.name()), subject);
        assertEquals(NOW.minus(Duration.ofMinutes(1)), root.getNotBefore().toInstant());
        assertEquals(Instant.parse("2036-11-22T10:15:30Z"), root.getNotAfter().toInstant());
        assertEquals("SHA256withECDSA", root.getSigAlgName());
        assertTrue(root.getSerialNumber().signum() > 0 && root.getSerialNumber().bitLength() <= 63);

        assertNotEquals(subject, SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS).certificate()
                .getSubjectX500Principal().getName(), "two roots never share a subject");
    }

    @Test
    void roundTripsThroughPem() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        assertTrue(ca.certificatePem().startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertTrue(ca.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));

        SigningCa loaded = SigningCa.load(TD, ca.certificatePem(), ca.privateKeyPem(), NOW.plusSeconds(5));
        assertEquals(ca.certificate(), loaded.certificate());
        assertEquals(ca.id(), loaded.id());
        assertArrayEquals(ca.privateKey().getEncoded(), loaded.privateKey().getEncoded());
    }

    @Test
    void describesItselfInConsulsRootShape() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        CaRoot root = CaRoot.of(ca, true, Optional.empty());
        assertTrue(root.id().matches("([0-9a-f]{2}:){31}[0-9a-f]{2}"), root.id());
        assertTrue(root.name().startsWith("Meshplane CA "), root.name());
        assertEquals(ca.certificate().getSerialNumber(), root.serialNumber());
        assertEquals(KeyIds.colonHex(CertFacts.subjectKeyId(ca.certificate())), root.signingKeyId());
        assertEquals(ca.certificate().getNotBefore().toInstant(), root.notBefore());
        assertEquals(ca.certificate().getNotAfter().toInstant(), root.notAfter());
        assertEquals(ca.certificatePem(), root.rootCert());
        assertEquals(List.of(), root.intermediateCerts());
        assertEquals(ca.certificate(), root.certificate());

        CaRoots roots = CaRoots.initial(ca);
        assertEquals(root.id(), roots.activeRootId());
        assertEquals(TD, roots.trustDomain());
        assertEquals(List.of(ca.certificate()), roots.trustBundle());
    }

    @Test
    void acceptsAnSec1KeyAsOpensslWritesIt() throws Exception {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        ECPrivateKey key = (ECPrivateKey) ca.privateKey();
        byte[] sec1 = sec1(key, ca.certificate());
        SigningCa loaded = SigningCa.load(TD, ca.certificatePem(), Pem.block("EC PRIVATE KEY", sec1), NOW);
        assertEquals(ca.id(), loaded.id());
    }

    private static byte[] sec1(ECPrivateKey key, X509Certificate cert) throws Exception {
        byte[] d = key.getS().toByteArray();
        byte[] fixed = new byte[32];
        System.arraycopy(d, Math.max(0, d.length - 32), fixed, Math.max(0, 32 - d.length), Math.min(32, d.length));
        byte[] point = SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
            new ASN1Integer(1),
            new DEROctetString(fixed),
            new DERTaggedObject(true, 0, SECObjectIdentifiers.secp256r1),
            new DERTaggedObject(true, 1, new DERBitString(point)),
        }).getEncoded();
    }

    @Test
    void loadRefusesAKeyThatIsNotTheRoots() {
        SigningCa a = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        SigningCa b = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(TD, a.certificatePem(), b.privateKeyPem(), NOW));
        assertTrue(e.getMessage().endsWith("the private key does not belong to this certificate"), e.getMessage());
    }

    @Test
    void loadRefusesAnExpiredOrNotYetValidRoot() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, new CaConfig(Duration.ofHours(72), Duration.ofMinutes(1),
                Period.ofDays(30), 16384));
        CaException expired = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(TD, ca.certificatePem(), ca.privateKeyPem(), NOW.plus(Duration.ofDays(31))));
        assertTrue(expired.getMessage().contains("expired at 2026-12-22T10:15:30Z"), expired.getMessage());
        CaException early = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(TD, ca.certificatePem(), ca.privateKeyPem(), NOW.minus(Duration.ofHours(1))));
        assertTrue(early.getMessage().contains("is not valid until"), early.getMessage());
    }

    @Test
    void loadRefusesARootOfAnotherTrustDomain() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(new TrustDomain("other.consul"), ca.certificatePem(), ca.privateKeyPem(), NOW));
        assertTrue(e.getMessage().endsWith("must be exactly [spiffe://other.consul]"), e.getMessage());
    }

    @Test
    void loadRefusesALeafPosingAsARoot() {
        KeyPair keys = EcKeys.generateP256();
        X500Name name = new X500Name("CN=not a CA");
        X509Certificate selfSignedLeaf = CertIssuer.issue(new CertIssuer.Request(name, keys.getPrivate(),
                java.math.BigInteger.TEN, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)), name,
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()),
                CertProfiles.leaf(new byte[20], new byte[20], SpiffeId.of(TD, "dc1", "web"))));
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> SigningCa.load(TD,
                Pem.certificate(selfSignedLeaf), Pem.privateKey(keys.getPrivate()), NOW));
        assertTrue(e.getMessage().endsWith("is not a CA certificate: basicConstraints cA is not true"), e.getMessage());
    }

    @Test
    void loadRefusesACertificateThatIsNotSelfSigned() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        SigningCa next = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        X509Certificate cross = RootRotation.crossSign(ca, next, NOW, CaConfig.DEFAULTS);
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(TD, Pem.certificate(cross), next.privateKeyPem(), NOW));
        assertTrue(e.getMessage().contains("is not self-signed: its issuer is CN=Meshplane CA"), e.getMessage());
    }

    @Test
    void pemInputErrorsNameTheProblem() {
        SigningCa ca = SigningCa.generateRoot(TD, NOW, CaConfig.DEFAULTS);
        String key = ca.privateKeyPem();
        assertEquals("root certificate is empty", Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.load(TD, " ", key, NOW)).getMessage());
        assertEquals("root certificate: expected exactly one certificate, found 2",
                Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                        () -> SigningCa.load(TD, ca.certificatePem() + ca.certificatePem(), key, NOW)).getMessage());
        assertEquals("root certificate: expected CERTIFICATE blocks, found \"PRIVATE KEY\"",
                Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                        () -> SigningCa.load(TD, key, key, NOW)).getMessage());
        assertEquals("root private key: the key is encrypted; provide it unencrypted (openssl pkcs8 -topk8 -nocrypt)",
                Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> SigningCa.load(TD, ca.certificatePem(),
                        Pem.block("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}), NOW)).getMessage());
        assertTrue(Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> SigningCa.load(TD, ca.certificatePem(),
                Pem.block("PRIVATE KEY", new byte[] {1, 2}), NOW)).getMessage()
                .startsWith("root private key: not an EC private key in PKCS#8"));
        assertTrue(Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> SigningCa.load(TD,
                Pem.block("CERTIFICATE", new byte[] {1, 2, 3}), key, NOW)).getMessage()
                .startsWith("root certificate: certificate 1 is not valid X.509 DER"));
    }

    @Test
    void generationRefusesATrustDomainTooLongForTheSubject() {
        CaException e = Refusals.refused(CaException.Kind.INVALID_ARGUMENT,
                () -> SigningCa.generateRoot(new TrustDomain("a".repeat(65)), NOW, CaConfig.DEFAULTS));
        assertTrue(e.getMessage().contains("65 characters") && e.getMessage().contains("limits to 64"), e.getMessage());
    }

    @Test
    void configRefusesBadValuesNamingThem() {
        Duration ttl = Duration.ofHours(72);
        Duration skew = Duration.ofMinutes(1);
        Period tenYears = Period.ofYears(10);
        assertEquals("leafTtl 30m must be between 1h and 8760h", assertThrows(
                () -> new CaConfig(Duration.ofMinutes(30), skew, tenYears, 16384)));
        assertEquals("clockSkew 2h must be between 0s and 1h", assertThrows(
                () -> new CaConfig(ttl, Duration.ofHours(2), tenYears, 16384)));
        assertEquals("rootValidity P0D must be positive and at most 50 years", assertThrows(
                () -> new CaConfig(ttl, skew, Period.ZERO, 16384)));
        assertEquals("maxCsrPemBytes 10 must be between 1024 and 1048576", assertThrows(
                () -> new CaConfig(ttl, skew, tenYears, 10)));
    }

    private static String assertThrows(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
