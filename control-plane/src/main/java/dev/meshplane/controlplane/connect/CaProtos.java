package dev.meshplane.controlplane.connect;

import com.google.protobuf.Timestamp;
import dev.meshplane.ca.CaRoot;
import dev.meshplane.ca.CaRoots;
import dev.meshplane.ca.IssuedLeaf;
import dev.meshplane.ca.TrustDomain;
import dev.meshplane.proto.internal.v1.CaState;
import dev.meshplane.proto.v1.CaRootsResponse;
import dev.meshplane.proto.v1.SignResponse;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Converts between the CA library's model and the replicated and public protos. */
public final class CaProtos {
    private CaProtos() {}

    public static CaState state(String clusterId, CaRoots roots, String activeKeyPem) {
        return CaState.newBuilder().setClusterId(clusterId).setTrustDomain(roots.trustDomain().name())
                .setActiveRootId(roots.activeRootId()).addAllRoots(roots.roots().stream().map(CaProtos::root).toList())
                .setActivePrivateKeyPem(activeKeyPem).build();
    }

    public static CaRoots roots(CaState state) {
        List<CaRoot> roots = state.getRootsList().stream().map(CaProtos::root).toList();
        return new CaRoots(state.getActiveRootId(), new TrustDomain(state.getTrustDomain()), roots);
    }

    /** What anyone may see: the roots without the key. */
    public static CaRootsResponse.Builder publicRoots(CaState state) {
        return CaRootsResponse.newBuilder().setActiveRootId(state.getActiveRootId())
                .setTrustDomain(state.getTrustDomain()).addAllRoots(state.getRootsList());
    }

    static dev.meshplane.proto.v1.CaRoot root(CaRoot r) {
        BigInteger serial = r.serialNumber();
        dev.meshplane.proto.v1.CaRoot.Builder b = dev.meshplane.proto.v1.CaRoot.newBuilder().setId(r.id())
                .setName(r.name())
                // Consul's SerialNumber is a uint64; a provided root with a longer serial shows 0 here
                // (the certificate itself still carries it).
                .setSerialNumber(serial.bitLength() <= 64 ? serial.longValue() : 0)
                .setSigningKeyId(r.signingKeyId()).setNotBefore(ts(r.notBefore())).setNotAfter(ts(r.notAfter()))
                .setRootCert(r.rootCert()).addAllIntermediateCerts(r.intermediateCerts()).setActive(r.active());
        r.rotatedOutAt().ifPresent(at -> b.setRotatedOutAt(ts(at)));
        return b.build();
    }

    static CaRoot root(dev.meshplane.proto.v1.CaRoot p) {
        // The serial is read back from the certificate: the proto's uint64 may not hold it.
        BigInteger serial = dev.meshplane.ca.Pem.parseCertificate(p.getRootCert(), "root " + p.getId()).getSerialNumber();
        return new CaRoot(p.getId(), p.getName(), serial, p.getSigningKeyId(), instant(p.getNotBefore()),
                instant(p.getNotAfter()), p.getRootCert(), p.getIntermediateCertsList(), p.getActive(),
                p.hasRotatedOutAt() ? Optional.of(instant(p.getRotatedOutAt())) : Optional.empty());
    }

    public static SignResponse leaf(IssuedLeaf leaf, String rootId) {
        return SignResponse.newBuilder().setSerialNumber(leaf.serialNumber()).setCertPem(leaf.certPem())
                .setService(leaf.service()).setServiceUri(leaf.serviceUri()).setValidAfter(ts(leaf.validAfter()))
                .setValidBefore(ts(leaf.validBefore())).setRootId(rootId).build();
    }

    public static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
