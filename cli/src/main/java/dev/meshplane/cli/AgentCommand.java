package dev.meshplane.cli;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the agent: the sidecar of this node.",
                "With -dev, also a one-node server whose state lives in memory (for development);",
                "with -server, a server replicating through Raft."})
final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("agent");

    @Option(names = {"-dev", "--dev"}, description = "run a one-process server and sidecar with in-memory state")
    boolean dev;

    @Option(names = {"-server", "--server"}, description = "run the server role with a replicated, durable log")
    boolean server;

    @Option(names = {"-node", "--node"}, description = "node name (default: the host name)")
    String node;

    @Option(names = {"-bind", "--bind"}, defaultValue = "127.0.0.1",
            description = "address of this node and of the server RPC listener (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = {"-client", "--client"}, defaultValue = "127.0.0.1",
            description = "address the client APIs listen on (default: ${DEFAULT-VALUE})")
    String client;

    @Option(names = {"-grpc-port", "--grpc-port"}, defaultValue = "8502",
            description = "agent gRPC API port (default: ${DEFAULT-VALUE}; 0 picks a free port)")
    int grpcPort;

    @Option(names = {"-server-port", "--server-port"}, defaultValue = "8300",
            description = "server RPC port (default: ${DEFAULT-VALUE}; 0 picks a free port)")
    int serverPort;

    @Option(names = {"-datacenter", "--datacenter"}, defaultValue = "dc1",
            description = "datacenter name (default: ${DEFAULT-VALUE})")
    String datacenter;

    @Option(names = {"-retry-join", "--retry-join"}, paramLabel = "HOST:PORT",
            description = "a server RPC address to join (repeatable): servers find their peers through it, "
                    + "client agents their servers")
    List<String> retryJoin = new ArrayList<>();

    @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}, paramLabel = "N",
            description = "with -server: found a new cluster once N servers are seen (0: join an existing one)")
    int bootstrapExpect;

    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR",
            description = "with -server: where Raft's log, snapshots and state live")
    java.nio.file.Path dataDir;

    @Option(names = {"-default-intention-policy", "--default-intention-policy"}, defaultValue = "allow",
            paramLabel = "allow|deny",
            description = "servers: what is decided when no intention matches (default: ${DEFAULT-VALUE})")
    String defaultIntentionPolicy;

    @Option(names = {"-connect-files-dir", "--connect-files-dir"}, paramLabel = "DIR",
            description = "where the cert, key and roots files of this node's mesh services are written"
                    + " (default: DATA-DIR/connect/certs with -data-dir, else none)")
    java.nio.file.Path connectFilesDir;

    @Mixin
    LogOptions logOptions;

    @Override
    public Integer call() throws Exception {
        Agent.Settings settings = settings();
        Agent.Mesh mesh = mesh(settings);
        Logging.configure(Logging.parseLevel(logOptions.level), System.err);
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), signal -> {
                if (stop.getCount() == 0) {
                    // A second interrupt while stopping: the user wants out now.
                    Runtime.getRuntime().halt(130);
                }
                stop.countDown();
            });
        }
        try (Agent agent = Agent.start(settings, mesh)) {
            LOG.info("agent started: node " + settings.nodeName() + ", datacenter " + settings.datacenter()
                    + ", gRPC API on " + client + ":" + agent.grpcAddress().getPort());
            stop.await();
            LOG.info("shutting down");
        }
        LOG.info("agent stopped");
        return 0;
    }

    Agent.Settings settings() {
        if (dev && server) {
            throw new CliException("-server: a -dev agent is already a (one-node, in-memory) server");
        }
        if (!dev && !server && retryJoin.isEmpty()) {
            throw new CliException("agent: give -dev for a development agent, -server for a server, "
                    + "or -retry-join HOST:PORT to join servers as a client");
        }
        if (dev && !retryJoin.isEmpty()) {
            throw new CliException("-retry-join: a -dev agent is its own server and joins no other");
        }
        if (server && dataDir == null) {
            throw new CliException("-data-dir: a server keeps Raft's log on disk; give a directory");
        }
        if (bootstrapExpect < 0) {
            throw new CliException("-bootstrap-expect: " + bootstrapExpect + " must not be negative");
        }
        if (!server && bootstrapExpect != 0) {
            throw new CliException("-bootstrap-expect: only a -server bootstraps a cluster");
        }
        if (server && bootstrapExpect == 0 && retryJoin.isEmpty()) {
            throw new CliException("-bootstrap-expect: give the number of servers to found a cluster with, "
                    + "or -retry-join to join an existing one");
        }
        Addresses.port("-grpc-port", String.valueOf(grpcPort));
        Addresses.port("-server-port", String.valueOf(serverPort));
        String nodeName = node != null ? node : hostName();
        try {
            NameRules.checkName("-node", nodeName);
            NameRules.checkName("-datacenter", datacenter);
        } catch (ApiException e) {
            throw new CliException(e.getMessage());
        }
        for (String join : retryJoin) {
            Addresses.parse("-retry-join", join);
        }
        Agent.Mode mode = dev ? Agent.Mode.DEV : server ? Agent.Mode.SERVER : Agent.Mode.CLIENT;
        return new Agent.Settings(mode, nodeName, bind, client, serverPort, grpcPort, datacenter, retryJoin,
                bootstrapExpect, dataDir == null ? null : dataDir.toAbsolutePath());
    }

    Agent.Mesh mesh(Agent.Settings settings) {
        boolean allow = switch (defaultIntentionPolicy) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new CliException("-default-intention-policy: \"" + defaultIntentionPolicy
                    + "\" must be allow or deny");
        };
        Agent.Mesh defaults = Agent.Mesh.defaults(settings);
        var sidecar = connectFilesDir == null ? defaults.sidecar()
                : defaults.sidecar().withCertFilesDir(connectFilesDir.toAbsolutePath());
        return new Agent.Mesh(c -> c.withIntentionDefaultAllow(allow), sidecar);
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            throw new CliException("-node: the host name cannot be determined (" + e.getMessage() + "); give -node NAME");
        }
    }
}
