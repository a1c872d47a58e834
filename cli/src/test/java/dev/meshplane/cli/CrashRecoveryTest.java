package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.KVGrpc;
import dev.meshplane.proto.v1.KvGetRequest;
import dev.meshplane.proto.v1.KvListRequest;
import dev.meshplane.proto.v1.KvPutRequest;
import dev.meshplane.proto.v1.QueryOptions;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real server processes take writes from several clients; every server is killed with
 * SIGKILL mid-load, all are restarted, and every write that was acknowledged must be there.
 */
class CrashRecoveryTest {

    @Test
    void everyAcknowledgedWriteSurvivesKill9OfEveryServer(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (ServerProcesses servers = new ServerProcesses(dir, 3)) {
            servers.startAll();
            awaitWritable(servers, 0);
            Map<String, String> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger failures = new AtomicInteger();
            int clients = 6;
            CountDownLatch done = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread.ofVirtual().start(() -> {
                    var kv = KVGrpc.newBlockingStub(servers.channels.get(client % 3));
                    for (int n = 0; !stop.get(); n++) {
                        String key = "crash/c" + client + "/" + n;
                        String value = "v" + n;
                        try {
                            kv.withDeadlineAfter(5, TimeUnit.SECONDS).put(KvPutRequest.newBuilder().setKey(key)
                                    .setValue(ByteString.copyFromUtf8(value)).build());
                            acknowledged.put(key, value);
                        } catch (StatusRuntimeException e) {
                            failures.incrementAndGet();
                        }
                    }
                    done.countDown();
                });
            }
            // Kill at a random point once the load is well under way (a count, not a time: CI may be slow).
            int killAfter = 100 + random.nextInt(200);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acknowledged.size() < killAfter && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            servers.killAll();
            stop.set(true);
            assertTrue(done.await(30, TimeUnit.SECONDS));
            int ackedBeforeKill = acknowledged.size();
            assertTrue(ackedBeforeKill >= killAfter, "the load ran before the kill (seed " + seed + "): "
                    + ackedBeforeKill);

            servers.startAll();
            int checker = random.nextInt(3);
            awaitWritable(servers, checker);
            var kv = KVGrpc.newBlockingStub(servers.channels.get(checker)).withDeadlineAfter(60, TimeUnit.SECONDS);
            var stored = kv.list(KvListRequest.newBuilder().setPrefix("crash/").setOptions(QueryOptions.newBuilder()
                    .setConsistency(Consistency.CONSISTENCY_CONSISTENT)).build()).getEntriesList();
            Map<String, String> present = new ConcurrentHashMap<>();
            stored.forEach(e -> present.put(e.getKey(), e.getValue().toStringUtf8()));
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                assertEquals(e.getValue(), present.get(e.getKey()),
                        "seed " + seed + ": acknowledged write " + e.getKey() + " was lost");
            }
            assertTrue(present.size() >= acknowledged.size());
        }
    }

    /** Waits until a write through server {@code i}'s agent succeeds (the cluster formed and elected). */
    private static void awaitWritable(ServerProcesses servers, int i) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                KVGrpc.newBlockingStub(servers.channels.get(i)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .put(KvPutRequest.newBuilder().setKey("ready").setValue(ByteString.copyFromUtf8("y")).build());
                KVGrpc.newBlockingStub(servers.channels.get(i)).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .get(KvGetRequest.newBuilder().setKey("ready").build());
                return;
            } catch (StatusRuntimeException e) {
                assertTrue(System.nanoTime() < deadline, "the cluster became writable: " + e.getStatus());
                Thread.sleep(200);
            }
        }
    }
}
