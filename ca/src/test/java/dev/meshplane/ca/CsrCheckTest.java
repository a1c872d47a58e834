package dev.meshplane.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** CSRs the CA must refuse, each with a message that says why. */
class CsrCheckTest {
    private static final int MAX = CaConfig.DEFAULTS.maxCsrPemBytes();
    private static final String WEB = "spiffe://td.consul/ns/default/dc/dc1/svc/web";
    private static final X500Name EMPTY = new X500Name(new RDN[0]);

    private static GeneralNames names(GeneralName... names) {
        return new GeneralNames(names);
    }

    private static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    private static String pem(byte[] der) {
        return Pem.block("CERTIFICATE REQUEST", der);
    }

    private static String refusal(String csrPem) {
        return Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> CsrCheck.check(csrPem, MAX)).getMessage();
    }

    @Test
    void acceptsTheCsrTheSidecarBuilds() {
        KeyPair keys = EcKeys.generateP256();
        CsrCheck.Checked checked = CsrCheck.check(LeafCsr.create(keys, SpiffeId.parse(WEB)), MAX);
        assertEquals(SpiffeId.parse(WEB), checked.id());
        assertTrue(Arrays.equals(keys.getPublic().getEncoded(), encoded(checked)));
    }

    private static byte[] encoded(CsrCheck.Checked checked) {
        try {
            return checked.publicKey().getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesTwoUriSans() {
        String csr = pem(LeafCsr.build(EcKeys.generateP256(), EMPTY,
                names(uri(WEB), uri("spiffe://td.consul/ns/default/dc/dc1/svc/db"))));
        assertEquals("CSR must carry exactly one URI SAN (the service's SPIFFE ID), found 2: [" + WEB
                + ", spiffe://td.consul/ns/default/dc/dc1/svc/db]", refusal(csr));
    }

    @Test
    void refusesNoSan() {
        String csr = pem(LeafCsr.build(EcKeys.generateP256(), new X500Name("CN=web"), null));
        assertEquals("CSR must carry exactly one URI SAN (the service's SPIFFE ID), found 0", refusal(csr));
    }

    @Test
    void refusesOtherKindsOfSan() {
        String csr = pem(LeafCsr.build(EcKeys.generateP256(), EMPTY,
                names(uri(WEB), new GeneralName(GeneralName.dNSName, "web.service.consul"))));
        assertEquals("CSR asks for a DNS SAN web.service.consul; a leaf carries only its SPIFFE ID as a URI SAN",
                refusal(csr));
    }

    @Test
    void refusesAUriThatIsNotAServiceSpiffeId() {
        String https = pem(LeafCsr.build(EcKeys.generateP256(), EMPTY, names(uri("https://web.example"))));
        assertTrue(refusal(https).startsWith("CSR URI SAN: SPIFFE ID \"https://web.example\" must start with"));
        String upper = pem(LeafCsr.build(EcKeys.generateP256(), EMPTY,
                names(uri("spiffe://TD.consul/ns/default/dc/dc1/svc/web"))));
        assertTrue(refusal(upper).contains("trust domains are lower case"), refusal(upper));
    }

    @Test
    void refusesABadSignature() {
        byte[] der = LeafCsr.build(EcKeys.generateP256(), EMPTY, names(uri(WEB)));
        // Tamper with the signed content after signing: "svc/web" becomes "svc/wea", same length and DER shape.
        String marker = "svc/web";
        int at = indexOf(der, marker.getBytes(StandardCharsets.US_ASCII));
        der[at + marker.length() - 1] = 'a';
        assertEquals("CSR signature does not verify with the CSR's own public key"
                + " (the request was altered or not signed by the key it carries)", refusal(pem(der)));
    }

    @Test
    void refusesACsrSignedByAnotherKey() throws Exception {
        KeyPair carried = EcKeys.generateP256();
        KeyPair signing = EcKeys.generateP256();
        var builder = new JcaPKCS10CertificationRequestBuilder(EMPTY, carried.getPublic());
        byte[] der = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signing.getPrivate()))
                .getEncoded();
        assertTrue(refusal(pem(der)).startsWith("CSR signature does not verify"));
    }

    @Test
    void refusesKeysOtherThanP256() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaKeys = rsa.generateKeyPair();
        byte[] rsaDer = new JcaPKCS10CertificationRequestBuilder(EMPTY, rsaKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(rsaKeys.getPrivate())).getEncoded();
        assertEquals("CSR public key: key algorithm is 1.2.840.113549.1.1.1, not EC (1.2.840.10045.2.1)",
                refusal(pem(rsaDer)));

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = ec.generateKeyPair();
        assertEquals("CSR public key: EC key is on curve 1.3.132.0.34, not P-256 (1.2.840.10045.3.1.7)",
                refusal(pem(LeafCsr.build(p384, EMPTY, names(uri(WEB))))));
        Refusals.refused(CaException.Kind.INVALID_ARGUMENT, () -> LeafCsr.create(p384, SpiffeId.parse(WEB)));
    }

    @Test
    void refusesOtherSignatureAlgorithms() throws Exception {
        KeyPair keys = EcKeys.generateP256();
        byte[] der = new JcaPKCS10CertificationRequestBuilder(EMPTY, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA384withECDSA").build(keys.getPrivate())).getEncoded();
        assertEquals("CSR is signed with 1.2.840.10045.4.3.3; only ecdsa-with-SHA256 (1.2.840.10045.4.3.2) is accepted",
                refusal(pem(der)));
    }

    @Test
    void refusesMalformedInput() {
        assertEquals("CSR is empty", refusal(""));
        assertEquals("CSR is empty", refusal(null));
        assertEquals("CSR has no PEM block (-----BEGIN ...-----)", refusal("hello"));
        assertTrue(refusal("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n")
                .startsWith("CSR is not well-formed PEM"));
        assertTrue(refusal(Pem.block("CERTIFICATE REQUEST", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
                .startsWith("CSR is not a valid PKCS#10 request"));
        assertEquals("CSR: expected a CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST block, found \"CERTIFICATE\"",
                refusal(Pem.block("CERTIFICATE", new byte[] {1})));
        String two = LeafCsr.create(EcKeys.generateP256(), SpiffeId.parse(WEB));
        assertEquals("CSR: expected exactly one PEM block, found 2", refusal(two + two));
        String huge = LeafCsr.create(EcKeys.generateP256(), SpiffeId.parse(WEB)) + " ".repeat(MAX);
        assertTrue(refusal(huge).matches("CSR is \\d+ bytes of PEM; the limit is 16384"), refusal(huge));
    }

    @Test
    void acceptsTheOldNewCertificateRequestLabel() {
        String csr = LeafCsr.create(EcKeys.generateP256(), SpiffeId.parse(WEB))
                .replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
        assertEquals(SpiffeId.parse(WEB), CsrCheck.check(csr, MAX).id());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found");
    }
}
