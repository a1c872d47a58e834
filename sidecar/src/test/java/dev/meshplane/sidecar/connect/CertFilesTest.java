package dev.meshplane.sidecar.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.ca.CaConfig;
import dev.meshplane.ca.SigningCa;
import dev.meshplane.ca.TrustDomain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate files under concurrent reading: a reader that works like grpc-java's
 * file_watcher provider (modification times of cert and key before and after reading both;
 * accept only when neither moved) must never accept a certificate with another's key.
 */
class CertFilesTest {
    /** Matching certificate/key pairs: roots are handy self-contained pairs. */
    private static List<String[]> pairs(int n) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SigningCa ca = SigningCa.generateRoot(new TrustDomain("test.consul"), Instant.now(), CaConfig.DEFAULTS);
            out.add(new String[] {ca.certificatePem(), ca.privateKeyPem()});
        }
        return out;
    }

    @Test
    void aWatcherStyleReaderNeverAcceptsAMismatchedPair(@TempDir Path dir) throws Exception {
        List<String[]> pairs = pairs(8);
        Map<String, String> keyOf = new HashMap<>();
        pairs.forEach(p -> keyOf.put(p[0], p[1]));
        CertFiles files = new CertFiles(dir.resolve("web"));
        files.write(pairs.get(0)[0], pairs.get(0)[1], "roots-0");
        Path cert = dir.resolve("web").resolve(CertFiles.CERT);
        Path key = dir.resolve("web").resolve(CertFiles.KEY);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong accepted = new AtomicLong();
        AtomicLong retried = new AtomicLong();
        AtomicReference<String> mismatch = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    long c1 = Files.getLastModifiedTime(cert).toMillis();
                    long k1 = Files.getLastModifiedTime(key).toMillis();
                    String certText = Files.readString(cert);
                    String keyText = Files.readString(key);
                    long c2 = Files.getLastModifiedTime(cert).toMillis();
                    long k2 = Files.getLastModifiedTime(key).toMillis();
                    if (c1 != c2 || k1 != k2) {
                        retried.incrementAndGet();
                        continue;
                    }
                    accepted.incrementAndGet();
                    if (!keyText.equals(keyOf.get(certText))) {
                        mismatch.compareAndSet(null, "accepted a certificate with another certificate's key");
                    }
                } catch (IOException e) {
                    // A file can vanish between the switch and the clean-up of the old version: the
                    // real provider then keeps its current pair and tries at the next refresh.
                    retried.incrementAndGet();
                }
            }
        });
        for (int v = 1; v <= 400; v++) {
            String[] p = pairs.get(v % pairs.size());
            files.write(p[0], p[1], "roots-" + v);
        }
        stop.set(true);
        reader.join();
        assertEquals(null, mismatch.get());
        assertTrue(accepted.get() > 0, "the reader never got a stable read");
        String[] last = pairs.get(400 % pairs.size());
        assertEquals(last[0], Files.readString(cert));
        assertEquals(last[1], Files.readString(key));
        assertEquals("roots-400", Files.readString(dir.resolve("web").resolve(CertFiles.ROOTS)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        try (Stream<Path> entries = Files.list(dir.resolve("web"))) {
            assertEquals(1, entries.filter(p -> p.getFileName().toString().startsWith("..v")).count(),
                    "old versions are removed");
        }
    }

    @Test
    void deleteRemovesEverything(@TempDir Path dir) throws Exception {
        String[] p = pairs(1).get(0);
        CertFiles files = new CertFiles(dir.resolve("db"));
        files.write(p[0], p[1], "roots");
        files.write(p[0], p[1], "roots-2");
        files.delete();
        assertFalse(Files.exists(dir.resolve("db")));
    }
}
