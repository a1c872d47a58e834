package dev.meshplane.sidecar.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.internal.v1.AgentState;
import dev.meshplane.proto.internal.v1.TtlCheckState;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path dir;

    private static AgentState sample() {
        return AgentState.newBuilder().addServices(Service.newBuilder().setId("web").setName("web"))
                .addTtlStates(TtlCheckState.newBuilder().setCheckId("t").setStatus(HealthStatus.HEALTH_STATUS_WARNING)
                        .setOutput("hm").setExpiresUnixMillis(123)).build();
    }

    @Test
    void savesAndLoadsReplacingTheOldFileWholly() throws Exception {
        StateFile f = new StateFile(dir);
        assertTrue(f.load().isEmpty(), "nothing saved yet");
        f.save(sample());
        f.save(sample().toBuilder().clearServices().build());
        AgentState loaded = f.load().orElseThrow();
        assertEquals(0, loaded.getServicesCount());
        assertEquals("hm", loaded.getTtlStates(0).getOutput());
        assertEquals(StateFile.VERSION, loaded.getVersion());
        assertFalse(Files.exists(dir.resolve(StateFile.NAME + ".tmp")), "no temporary file left behind");
    }

    @Test
    void aDamagedFileIsRefusedNamingIt() throws Exception {
        StateFile f = new StateFile(dir);
        f.save(sample());
        byte[] bytes = Files.readAllBytes(f.path());
        bytes[bytes.length - 1] ^= 1;
        Files.write(f.path(), bytes);
        IllegalStateException e = assertThrows(IllegalStateException.class, f::load);
        assertEquals(f.path() + " is damaged (checksum mismatch); move it away to start empty", e.getMessage());
        Files.writeString(f.path(), "hello");
        e = assertThrows(IllegalStateException.class, f::load);
        assertTrue(e.getMessage().contains("is not an agent state file"), e.getMessage());
    }

    @Test
    void persisterWritesOnlyWithADataDir() throws Exception {
        int[] snapshots = {0};
        Persister memory = new Persister(null, () -> {
            snapshots[0]++;
            return sample();
        });
        memory.persist();
        assertEquals(0, snapshots[0]);
        Persister disk = new Persister(new StateFile(dir), () -> {
            snapshots[0]++;
            return sample();
        });
        disk.persist();
        assertEquals(1, snapshots[0]);
        assertEquals("web", new StateFile(dir).load().orElseThrow().getServices(0).getId());
    }

    @Test
    void syncIntervalScalesWithClusterSizeAsConsulDoes() {
        assertEquals(1, SyncConfig.scaleFactor(1));
        assertEquals(1, SyncConfig.scaleFactor(128));
        assertEquals(2, SyncConfig.scaleFactor(129));
        assertEquals(2, SyncConfig.scaleFactor(256));
        assertEquals(3, SyncConfig.scaleFactor(512));
        assertEquals(4, SyncConfig.scaleFactor(1024));
        assertEquals(java.time.Duration.ofMinutes(4), SyncConfig.DEFAULTS.scaledFullSyncInterval(1000));
    }
}
