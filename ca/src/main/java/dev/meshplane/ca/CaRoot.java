package dev.meshplane.ca;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One root as every agent may see it (no private key), in the shape of an entry of Consul's
 * roots JSON. {@code rotatedOutAt} is not part of that JSON: it is when this root stopped being
 * active, from which {@link CaRoots#pruned} decides when it is dropped.
 *
 * @param id                SHA-256 fingerprint of the root's DER in colon hex (Consul uses a
 *                          SHA-1 fingerprint; any stable unique value serves, and this needs no SHA-1)
 * @param name              the root certificate's common name
 * @param serialNumber      the root certificate's serial
 * @param signingKeyId      the root's subject key identifier in colon hex: the AKI of its leaves
 * @param notBefore         the root certificate's NotBefore
 * @param notAfter          the root certificate's NotAfter
 * @param rootCert          the root certificate, PEM
 * @param intermediateCerts certificates to send after a leaf of this root (the cross-signed
 *                          copy after a rotation), PEM each
 * @param active            whether new leaves are signed by this root
 * @param rotatedOutAt      when this root stopped being active; empty for the active root
 */
public record CaRoot(
        String id,
        String name,
        BigInteger serialNumber,
        String signingKeyId,
        Instant notBefore,
        Instant notAfter,
        String rootCert,
        List<String> intermediateCerts,
        boolean active,
        Optional<Instant> rotatedOutAt) {

    public CaRoot {
        intermediateCerts = List.copyOf(intermediateCerts);
        Objects.requireNonNull(rotatedOutAt, "rotatedOutAt (use Optional.empty())");
        if (active && rotatedOutAt.isPresent()) {
            throw new IllegalArgumentException("root " + id + " is active but has rotatedOutAt " + rotatedOutAt.get());
        }
    }

    /** The public description of {@code ca}'s root. */
    public static CaRoot of(SigningCa ca, boolean active, Optional<Instant> rotatedOutAt) {
        X509Certificate cert = ca.certificate();
        return new CaRoot(ca.id(), CertFacts.commonName(cert), cert.getSerialNumber(),
                KeyIds.colonHex(CertFacts.subjectKeyId(cert)), CertFacts.notBefore(cert), CertFacts.notAfter(cert),
                Pem.certificate(cert), ca.intermediates().stream().map(Pem::certificate).toList(), active,
                rotatedOutAt);
    }

    public X509Certificate certificate() {
        return Pem.parseCertificate(rootCert, "root certificate of " + id);
    }

    CaRoot rotatedOut(Instant at) {
        return new CaRoot(id, name, serialNumber, signingKeyId, notBefore, notAfter, rootCert, intermediateCerts,
                false, Optional.of(at));
    }
}
