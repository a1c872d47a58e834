package dev.meshplane.sidecar.checks;

import dev.meshplane.ca.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate, as PEM files. */
final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(1);

    final Path caFile;
    final Path serverCert;
    final Path serverKey;
    final Path clientCert;
    final Path clientKey;
    final X509Certificate ca;

    private TestCerts(Path dir, String caName) throws Exception {
        KeyPair caKeys = keys();
        ca = sign(new X500Name("CN=" + caName), caKeys, new X500Name("CN=" + caName), caKeys, true, null, null);
        KeyPair serverKeys = keys();
        X509Certificate server = sign(new X500Name("CN=test server"), serverKeys, new X500Name("CN=" + caName), caKeys,
                false, new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}), KeyPurposeId.id_kp_serverAuth);
        KeyPair clientKeys = keys();
        X509Certificate client = sign(new X500Name("CN=test client"), clientKeys, new X500Name("CN=" + caName), caKeys,
                false, new GeneralNames(new GeneralName(GeneralName.dNSName, "client.test")),
                KeyPurposeId.id_kp_clientAuth);
        caFile = write(dir.resolve(caName + "-ca.pem"), Pem.certificate(ca));
        serverCert = write(dir.resolve(caName + "-server.pem"), Pem.certificate(server));
        serverKey = write(dir.resolve(caName + "-server-key.pem"), Pem.privateKey(serverKeys.getPrivate()));
        clientCert = write(dir.resolve(caName + "-client.pem"), Pem.certificate(client));
        clientKey = write(dir.resolve(caName + "-client-key.pem"), Pem.privateKey(clientKeys.getPrivate()));
    }

    static TestCerts create(Path dir, String caName) throws Exception {
        return new TestCerts(dir, caName);
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean isCa, GeneralNames sans, KeyPurposeId purpose) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static Path write(Path file, String pem) throws IOException {
        Files.writeString(file, pem);
        return file;
    }
}
