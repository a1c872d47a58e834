package dev.meshplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** meshctl's commands against a real dev agent: output and exit codes. */
class CliTest {
    @RegisterExtension
    static final DevAgentExtension DEV = new DevAgentExtension("node-cli");

    record Result(int code, String out, String err) {}

    static Result meshctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a client command against the test agent. */
    static Result client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-address");
        all.add(DEV.address());
        return meshctl(all.toArray(String[]::new));
    }

    @Test
    void registerListAndDeregisterServices() {
        Result r = client("services", "register", "-name", "cart", "-id", "cart-1", "-port", "7000", "-tag", "v2");
        assertEquals(new Result(0, "Registered service: cart-1\n", ""), r);
        assertEquals(0, client("services", "register", "-name", "cart", "-id", "cart-2", "-port", "7001").code());

        Result list = client("services", "list");
        assertEquals(0, list.code());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("cart-1\\s+cart\\s+7000\\s+v2")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.matches("cart-2\\s+cart\\s+7001")), list.out());

        Result catalog = client("catalog", "services", "-tags");
        assertTrue(catalog.out().lines().anyMatch(l -> l.matches("cart\\s+2\\s+v2")), catalog.out());
        Result nodes = client("catalog", "nodes");
        assertTrue(nodes.out().lines().anyMatch(l -> l.matches("node-cli\\s+127\\.0\\.0\\.1\\s+dc1")), nodes.out());

        assertEquals(new Result(0, "Deregistered service: cart-2\n", ""), client("services", "deregister", "-id", "cart-2"));
        assertTrue(client("services", "list").out().lines().noneMatch(l -> l.startsWith("cart-2")));
        client("services", "deregister", "-id", "cart-1");
    }

    @Test
    void kvPutGetListDelete(@TempDir Path dir) throws Exception {
        assertEquals(new Result(0, "Success! Data written to: app/color\n", ""), client("kv", "put", "app/color", "blue"));
        assertEquals(new Result(0, "blue\n", ""), client("kv", "get", "app/color"));
        Path file = dir.resolve("value.bin");
        Files.write(file, new byte[] {0, (byte) 0xff, 10, 65});
        assertEquals(0, client("kv", "put", "app/binary", "@" + file).code());
        Result binary = client("kv", "get", "app/binary");
        assertEquals("\u0000\ufffd\nA\n", binary.out(), "bytes come out as stored (the U+FFFD is the test decoding 0xff)");

        Result detailed = client("kv", "get", "-detailed", "app/color");
        assertTrue(detailed.out().lines().anyMatch(l -> l.matches("Value\\s+blue")), detailed.out());
        assertEquals(new Result(0, "app/binary\napp/color\n", ""), client("kv", "list", "app/"));
        assertEquals(new Result(0, "app/\n", ""), client("kv", "list", "-separator", "/"));

        Result cas = client("kv", "put", "-cas", "-modify-index", "0", "app/color", "red");
        assertEquals(1, cas.code());
        assertEquals("", cas.out());
        assertEquals("Error: did not write to app/color: its modify index is not 0\n", cas.err());

        assertEquals(new Result(0, "Success! Deleted keys with prefix: app/\n", ""), client("kv", "delete", "-recurse", "app/"));
        Result missing = client("kv", "get", "app/color");
        assertEquals(new Result(1, "", "Error: no key exists at: app/color\n"), missing);
    }

    @Test
    void watchPrintsTheSnapshotThenEachChange() throws Exception {
        client("services", "register", "-name", "feed", "-id", "feed-1", "-port", "6000");
        CompletableFuture<Result> watch = CompletableFuture.supplyAsync(
                () -> client("watch", "service", "feed", "-count", "2"));
        // The watch must be subscribed before the change; its snapshot is the proof, but it is
        // printed only at the end, so wait on the topic count instead.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (DEV.agent().server().watchTopicCount() == 0) {
            assertTrue(System.nanoTime() < deadline && !watch.isDone(), "the watch subscribed");
            Thread.sleep(10);
        }
        client("services", "register", "-name", "feed", "-id", "feed-2", "-port", "6001");
        Result r = watch.get(10, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("\\[index \\d+\\] snapshot"), r.out());
        assertTrue(lines.get(1).matches("  \\+ node-cli/feed-1 127\\.0\\.0\\.1:6000 passing"), r.out());
        assertTrue(lines.get(2).matches("\\[index \\d+\\] change"), r.out());
        assertTrue(lines.get(3).matches("  \\+ node-cli/feed-2 127\\.0\\.0\\.1:6001 passing"), r.out());
        client("services", "deregister", "-id", "feed-1");
        client("services", "deregister", "-id", "feed-2");
    }

    @Test
    void snapshotSaveInspectAndRestore(@TempDir Path dir) throws Exception {
        client("kv", "put", "snap/key", "before");
        Path file = dir.resolve("backup.snap");
        Result saved = client("snapshot", "save", file.toString());
        assertEquals(0, saved.code(), saved.err());
        assertTrue(saved.out().matches("Saved and verified snapshot to index \\d+: .*backup\\.snap\n"), saved.out());
        Result inspect = meshctl("snapshot", "inspect", file.toString());
        assertTrue(inspect.out().lines().anyMatch(l -> l.matches("Index\\s+\\d+")), inspect.out());

        client("kv", "put", "snap/key", "after");
        Result restored = client("snapshot", "restore", file.toString());
        assertEquals(0, restored.code(), restored.err());
        assertTrue(restored.out().startsWith("Restored snapshot of index "), restored.out());
        assertEquals("before\n", client("kv", "get", "snap/key").out());

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Path bad = dir.resolve("bad.snap");
        Files.write(bad, bytes);
        Result refused = client("snapshot", "restore", bad.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().startsWith("Error: " + bad + ": corrupt snapshot"), refused.err());
        assertEquals("before\n", client("kv", "get", "snap/key").out(), "nothing changed");
        client("kv", "delete", "snap/key");
    }

    @Test
    void errorsAreOneLineWithExitCodeOne() {
        Result r = client("services", "register", "-name", "web", "-port", "70000");
        assertEquals(1, r.code());
        assertEquals("Error: invalid argument: service.port: 70000 is out of range 0-65535\n", r.err());

        Result unknown = client("services", "deregister", "-id", "nope");
        assertEquals(new Result(1, "", "Error: not found: service_id: \"nope\" is not registered with this agent\n"), unknown);

        Result unreachable = meshctl("kv", "get", "x", "-address", "127.0.0.1:1");
        assertEquals(1, unreachable.code());
        assertEquals("Error: cannot reach the agent at 127.0.0.1:1: connection refused (is `meshctl agent` running?)\n",
                unreachable.err());

        Result badAddress = meshctl("kv", "get", "x", "-address", "nonsense");
        assertEquals(new Result(1, "", "Error: -address: \"nonsense\" is not HOST:PORT\n"), badAddress);
    }

    @Test
    void usageErrorsExitWithTwo() {
        Result unknownCommand = meshctl("bogus");
        assertEquals(2, unknownCommand.code());
        assertTrue(unknownCommand.err().contains("Unmatched argument at index 0: 'bogus'"), unknownCommand.err());

        Result missingOption = meshctl("services", "register", "-port", "80");
        assertEquals(2, missingOption.code());
        assertTrue(missingOption.err().contains("Missing required option: '--name=<name>'"), missingOption.err());

        assertEquals(2, meshctl("services", "register", "-name", "x", "-port", "eighty").code());
        assertEquals(2, meshctl().code());
    }

    @Test
    void helpOnEveryCommandAndVersion() {
        for (String[] command : new String[][] {
                {}, {"agent"}, {"services"}, {"services", "register"}, {"services", "deregister"}, {"services", "list"},
                {"catalog"}, {"catalog", "services"}, {"catalog", "nodes"}, {"kv"}, {"kv", "put"}, {"kv", "get"},
                {"kv", "delete"}, {"kv", "list"}, {"watch"}, {"watch", "service"}, {"snapshot"}, {"snapshot", "save"},
                {"snapshot", "restore"}, {"snapshot", "inspect"}, {"version"}, {"check"}, {"check", "pass"},
                {"check", "warn"}, {"check", "fail"}, {"check", "list"}, {"reload"}, {"maint"}}) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            Result r = meshctl(args.toArray(String[]::new));
            assertEquals(0, r.code(), String.join(" ", args));
            assertTrue(r.out().startsWith("Usage: meshctl"), String.join(" ", args) + ": " + r.out());
        }
        Result version = meshctl("version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("meshctl 0."), version.out());
    }

    @Test
    void agentFlagsAreChecked() {
        assertEquals(new Result(1, "", "Error: agent: give -dev for a development agent, -server for a server, "
                + "or -retry-join HOST:PORT to join servers as a client\n"), meshctl("agent"));
        assertEquals(new Result(1, "", "Error: -data-dir: a server keeps Raft's log on disk; give a directory\n"),
                meshctl("agent", "-server", "-bootstrap-expect", "3"));
        assertEquals(1, meshctl("agent", "-dev", "-node", "bad name").code());
        assertEquals(2, meshctl("agent", "-dev", "-grpc-port", "x").code());
        Result badPort = meshctl("agent", "-dev", "-grpc-port", "70000");
        assertEquals(new Result(1, "", "Error: -grpc-port: 70000 is out of range 0-65535\n"), badPort);
    }
}
