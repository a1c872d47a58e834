package dev.meshplane.cli;

import static dev.meshplane.cli.AgentTesting.agent;
import static dev.meshplane.cli.AgentTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshplane.proto.v1.CheckDefinition;
import dev.meshplane.proto.v1.HealthStatus;
import dev.meshplane.proto.v1.ListLocalServicesRequest;
import dev.meshplane.proto.v1.RegisterServiceRequest;
import dev.meshplane.proto.v1.Service;
import dev.meshplane.proto.v1.UpdateTtlRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `meshctl agent` as a real process: SIGHUP reloads the config dir; kill -9 loses nothing acknowledged. */
class AgentProcessTest {
    private static final Pattern STARTED = Pattern.compile("gRPC API on [^:]+:(\\d+)");

    /** A child JVM running meshctl with {@code args}; returns it once it logged its gRPC port. */
    private record Child(Process process, int grpcPort) implements AutoCloseable {
        static Child start(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder log = new StringBuilder();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                        Matcher m = STARTED.matcher(line);
                        if (line.contains("agent started") && m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (Exception ignored) {
                    // the process ended
                }
                port.completeExceptionally(new AssertionError("the agent did not start:\n" + log));
            });
            return new Child(p, port.get(60, TimeUnit.SECONDS));
        }

        ManagedChannel channel() {
            return NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        }

        void signal(String name) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor());
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> services(ManagedChannel ch) {
        return agent(ch).listLocalServices(ListLocalServicesRequest.getDefaultInstance()).getServicesList().stream()
                .map(Service::getId).toList();
    }

    @Test
    void sighupReloadsTheConfigDir(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.json"), "{\"service\": {\"name\": \"alpha\"}}");
        try (Child child = Child.start("agent", "-dev", "-node", "proc-hup", "-grpc-port", "0", "-server-port", "0", "-serf-lan-port", "0",
                "-config-dir", dir.toString())) {
            ManagedChannel ch = child.channel();
            assertEquals(List.of("alpha"), services(ch));
            Files.writeString(dir.resolve("b.json"), "{\"service\": {\"name\": \"beta\"}}");
            child.signal("HUP");
            await("beta after SIGHUP", Duration.ofSeconds(20), () -> services(ch).equals(List.of("alpha", "beta")));
            Files.writeString(dir.resolve("c.json"), "{\"service\": {\"name\": }");
            child.signal("HUP");
            Thread.sleep(1000);
            assertEquals(List.of("alpha", "beta"), services(ch), "a bad file changes nothing");
            assertTrue(child.process().isAlive(), "and does not stop the agent");
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void killNineLosesNothingAcknowledged(@TempDir Path dataDir) throws Exception {
        try (Agent server = Agent.start(Agent.Settings.dev("proc-server", 0, 0, AgentTesting.fast()))) {
            String join = "127.0.0.1:" + server.serverAddress().getPort();
            String[] args = {"agent", "-node", "proc-client", "-grpc-port", "0", "-serf-lan-port", "0", "-retry-join", join,
                    "-data-dir", dataDir.toString()};
            try (Child first = Child.start(args)) {
                ManagedChannel ch = first.channel();
                for (int i = 0; i < 20; i++) {
                    agent(ch).registerService(RegisterServiceRequest.newBuilder()
                            .setService(Service.newBuilder().setName("svc-" + i))
                            .addChecks(CheckDefinition.newBuilder().setId("ttl-" + i).setTtl(AgentTesting.ttl(Duration.ofHours(1))))
                            .build());
                    agent(ch).updateTtl(UpdateTtlRequest.newBuilder().setCheckId("ttl-" + i)
                            .setStatus(HealthStatus.HEALTH_STATUS_PASSING).setOutput("report " + i).build());
                }
                first.signal("KILL");
                first.process().waitFor(10, TimeUnit.SECONDS);
                ch.shutdownNow();
            }
            try (Child second = Child.start(args)) {
                ManagedChannel ch = second.channel();
                assertEquals(20, services(ch).size(), "every acknowledged registration is back");
                var checks = agent(ch).listLocalChecks(dev.meshplane.proto.v1.ListLocalChecksRequest.getDefaultInstance())
                        .getChecksList();
                assertEquals(20, checks.size());
                assertTrue(checks.stream().allMatch(c -> c.getState().getStatus() == HealthStatus.HEALTH_STATUS_PASSING
                        && c.getState().getOutput().startsWith("report ")), "and every acknowledged TTL report");
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
