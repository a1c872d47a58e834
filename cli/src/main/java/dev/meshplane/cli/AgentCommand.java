package dev.meshplane.cli;

import dev.meshplane.api.ApiException;
import dev.meshplane.api.NameRules;
import dev.meshplane.sidecar.agent.LocalAgentConfig;
import dev.meshplane.sidecar.checks.ChecksConfig;
import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import dev.meshplane.sidecar.http.GoDuration;
import dev.meshplane.sidecar.membership.Membership;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Option(names = {"-advertise", "--advertise"}, paramLabel = "IP",
            description = "the IP other agents reach this one at: its LAN gossip address, the host of its server RPC "
                    + "address and its catalog node address (default: -bind, or with a wildcard -bind the first "
                    + "non-loopback address, IPv4 first)")
    String advertise;

    @Option(names = {"-advertise-wan", "--advertise-wan"}, paramLabel = "IP",
            description = "servers: the IP advertised in the WAN gossip pool (default: -advertise)")
    String advertiseWan;

    @Option(names = {"-client", "--client"}, defaultValue = "127.0.0.1",
            description = "address the client APIs listen on (default: ${DEFAULT-VALUE})")
    String client;

    @Option(names = {"-grpc-port", "--grpc-port"}, defaultValue = "8502",
            description = "agent gRPC API port (default: ${DEFAULT-VALUE}; 0 picks a free port)")
    int grpcPort;

    @Option(names = {"-http-port", "--http-port"}, defaultValue = "8500",
            description = "Consul-compatible HTTP API port (default: ${DEFAULT-VALUE}; 0 picks a free port, -1 disables)")
    int httpPort;

    @Option(names = {"-dns-port", "--dns-port"}, defaultValue = "8600",
            description = "DNS port, UDP and TCP (default: ${DEFAULT-VALUE}; 0 picks a free port, -1 disables)")
    int dnsPort;

    @Option(names = {"-domain", "--domain"}, defaultValue = "consul.",
            description = "DNS domain answered for (default: ${DEFAULT-VALUE})")
    String domain;

    @Option(names = {"-alt-domain", "--alt-domain"}, description = "a second DNS domain answered the same way")
    String altDomain;

    @Option(names = {"-recursor", "--recursor"}, paramLabel = "HOST[:PORT]",
            description = "DNS server for names outside the domains (repeatable; none: such queries are REFUSED)")
    List<String> recursors = new ArrayList<>();

    @Option(names = {"-dns-only-passing", "--dns-only-passing"},
            description = "DNS answers leave out instances in warning too (critical ones always are)")
    boolean dnsOnlyPassing;

    @Option(names = {"-dns-node-ttl", "--dns-node-ttl"}, defaultValue = "0s", paramLabel = "DURATION",
            description = "TTL of node records (default: ${DEFAULT-VALUE})")
    String dnsNodeTtl;

    @Option(names = {"-dns-service-ttl", "--dns-service-ttl"}, paramLabel = "NAME=DURATION",
            description = "TTL of a service's records; NAME may be a prefix ending in '*' or '*' (repeatable; default 0s)")
    List<String> dnsServiceTtl = new ArrayList<>();

    @Option(names = {"-dns-negative-ttl", "--dns-negative-ttl"}, defaultValue = "0s", paramLabel = "DURATION",
            description = "how long resolvers may cache a name that does not exist (SOA minimum; default: ${DEFAULT-VALUE})")
    String dnsNegativeTtl;

    @Option(names = {"-server-port", "--server-port"}, defaultValue = "8300",
            description = "server RPC port (default: ${DEFAULT-VALUE}; 0 picks a free port)")
    int serverPort;

    @Option(names = {"-datacenter", "--datacenter"}, defaultValue = "dc1",
            description = "datacenter name (default: ${DEFAULT-VALUE})")
    String datacenter;

    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR",
            description = "where the agent persists its services and check states, and a server its Raft log, "
                    + "snapshots and state (not with -dev)")
    Path dataDir;

    @Option(names = {"-config-dir", "--config-dir"}, paramLabel = "DIR",
            description = "directory of JSON service definitions (Consul's format); re-read on SIGHUP and `meshctl reload`")
    Path configDir;

    @Option(names = {"-enable-script-checks", "--enable-script-checks"},
            description = "allow script checks (they run any program the registrant names)")
    boolean enableScriptChecks;

    @Option(names = {"-retry-join", "--retry-join"}, paramLabel = "HOST:PORT",
            description = "an agent's LAN gossip address (repeatable; retried with back-off until one answers); "
                    + "each is also tried as a server RPC address, so a list of servers' RPC ports works too")
    List<String> retryJoin = new ArrayList<>();

    @Option(names = {"-retry-join-wan", "--retry-join-wan"}, paramLabel = "HOST[:PORT]",
            description = "servers: a WAN gossip address of a server, usually of another datacenter (repeatable; "
                    + "port 8302 when omitted; retried with the same back-off as -retry-join until one answers)")
    List<String> retryJoinWan = new ArrayList<>();

    @Option(names = {"-serf-lan-port", "--serf-lan-port"}, defaultValue = "8301",
            description = "LAN gossip port, UDP and TCP, on -bind (default: ${DEFAULT-VALUE}; 0 picks a free port, "
                    + "-1 disables gossip)")
    int serfLanPort;

    @Option(names = {"-serf-wan-port", "--serf-wan-port"}, defaultValue = "8302",
            description = "servers: WAN gossip port, UDP and TCP (default: ${DEFAULT-VALUE}; 0 picks a free port, "
                    + "-1: no WAN pool)")
    int serfWanPort;

    @Option(names = {"-encrypt", "--encrypt"}, paramLabel = "KEY",
            description = "base64 AES key (16, 24 or 32 bytes; `meshctl keygen` makes one) sealing gossip with AES-GCM")
    String encrypt;

    @Option(names = {"-dead-server-grace", "--dead-server-grace"}, defaultValue = "30s", paramLabel = "DURATION",
            description = "servers: how long a server stays failed in gossip before the leader removes it from Raft, "
                    + "if the others keep a quorum (default: ${DEFAULT-VALUE})")
    String deadServerGrace;

    @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}, paramLabel = "N",
            description = "with -server: found a new cluster once N servers are seen (0: join an existing one)")
    int bootstrapExpect;


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
        if (settings.mode() != Agent.Mode.DEV && settings.local().dataDir() == null) {
            LOG.warning("no -data-dir: services and check states registered through the API are kept in memory only");
        }
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
            // `meshctl leave`: the agent has left its pools; stop the process as SIGTERM would.
            agent.onLeave(stop::countDown);
            Signal.handle(new Signal("HUP"), signal -> Thread.ofVirtual().name("reload").start(() -> reload(agent)));
            LOG.info("agent started: node " + settings.nodeName() + ", datacenter " + settings.datacenter()
                    + ", gRPC API on " + client + ":" + agent.grpcAddress().getPort()
                    + (agent.httpAddress() == null ? "" : ", HTTP API on " + client + ":" + agent.httpAddress().getPort())
                    + (agent.dnsAddress() == null ? "" : ", DNS on " + client + ":" + agent.dnsAddress().getPort()));
            stop.await();
            LOG.info("shutting down");
        }
        LOG.info("agent stopped");
        return 0;
    }

    private static void reload(Agent agent) {
        try {
            var r = agent.sidecar().localAgent().reload();
            LOG.info("SIGHUP: reloaded " + r.getFiles() + " definition files");
        } catch (RuntimeException e) {
            LOG.warning("SIGHUP: " + e.getMessage());
        }
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
        if (dev && dataDir != null) {
            throw new CliException("-data-dir: a -dev agent keeps everything in memory");
        }
        if (configDir != null && !Files.isDirectory(configDir)) {
            throw new CliException("-config-dir: " + configDir + " is not a directory");
        }
        if (dataDir != null && Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new CliException("-data-dir: " + dataDir + " exists and is not a directory");
        }
        Path data = dataDir == null ? null : dataDir.toAbsolutePath();
        LocalAgentConfig local = LocalAgentConfig.IN_MEMORY.withDataDir(data).withConfigDir(configDir)
                .withChecks(ChecksConfig.DEFAULTS.withScriptChecks(enableScriptChecks));
        Agent.Mode mode = dev ? Agent.Mode.DEV : server ? Agent.Mode.SERVER : Agent.Mode.CLIENT;
        String advertised = advertise == null ? AdvertiseAddress.defaultFor(bind)
                : AdvertiseAddress.parse("-advertise", advertise);
        return new Agent.Settings(mode, nodeName, bind, client, serverPort, grpcPort, datacenter, retryJoin,
                bootstrapExpect, data, local, optionalPort("-http-port", httpPort), optionalPort("-dns-port", dnsPort),
                dnsSettings(), gossipSettings(), advertised);
    }

    /** -advertise-wan and -retry-join-wan: a server's WAN pool only. */
    private GossipSettings withWan(GossipSettings g) {
        boolean wanPool = server && serfLanPort != -1 && serfWanPort != -1;
        String why = !server ? "only servers join the WAN pool" + (dev ? " (a -dev agent has none)" : "")
                : "this server runs no WAN pool (" + (serfLanPort == -1 ? "-serf-lan-port" : "-serf-wan-port") + " -1)";
        String wanIp = null;
        if (advertiseWan != null) {
            if (!wanPool) {
                throw new CliException("-advertise-wan: " + why);
            }
            wanIp = AdvertiseAddress.parse("-advertise-wan", advertiseWan);
        }
        if (!retryJoinWan.isEmpty() && !wanPool) {
            throw new CliException("-retry-join-wan: " + why);
        }
        for (String a : retryJoinWan) {
            try {
                Membership.parseAddress("-retry-join-wan", a,
                        Membership.DEFAULT_WAN_PORT);
            } catch (ApiException e) {
                throw new CliException("-retry-join-wan: \"" + a + "\" is not HOST[:PORT] (" + e.getMessage() + ")");
            }
        }
        return g.withWan(wanIp, retryJoinWan);
    }

    private GossipSettings gossipSettings() {
        if (serfLanPort < -1 || serfLanPort > 65535) {
            throw new CliException("-serf-lan-port: " + serfLanPort + " must be -1 (off), 0 (any) or 1..65535");
        }
        if (serfWanPort < -1 || serfWanPort > 65535) {
            throw new CliException("-serf-wan-port: " + serfWanPort + " must be -1 (off), 0 (any) or 1..65535");
        }
        if (encrypt != null) {
            if (serfLanPort == -1) {
                throw new CliException("-encrypt: gossip is disabled (-serf-lan-port -1); there is nothing to encrypt");
            }
            try {
                Keyring.decode(encrypt);
            } catch (IllegalArgumentException e) {
                throw new CliException("-encrypt: " + e.getMessage());
            }
        }
        return withWan(new GossipSettings(serfLanPort, serfWanPort, encrypt, GossipConfig.lan(), GossipConfig.wan(),
                duration("-dead-server-grace", deadServerGrace), null, List.of()));
    }

    private static int optionalPort(String flag, int port) {
        if (port == -1) {
            return -1;
        }
        return Addresses.port(flag, String.valueOf(port));
    }

    private Agent.DnsSettings dnsSettings() {
        Map<String, Duration> serviceTtl = new LinkedHashMap<>();
        for (String pair : dnsServiceTtl) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException("-dns-service-ttl: \"" + pair + "\" is not NAME=DURATION");
            }
            serviceTtl.put(pair.substring(0, eq), duration("-dns-service-ttl", pair.substring(eq + 1)));
        }
        List<InetSocketAddress> upstream = new ArrayList<>();
        for (String r : recursors) {
            String hostPort;
            if (r.startsWith("[")) {
                hostPort = r.contains("]:") ? r : r + ":53";
            } else if (r.chars().filter(c -> c == ':').count() > 1) {
                hostPort = "[" + r + "]:53";
            } else {
                hostPort = r.contains(":") ? r : r + ":53";
            }
            InetSocketAddress a = Addresses.parse("-recursor", hostPort);
            upstream.add(new InetSocketAddress(a.getHostString(), a.getPort()));
        }
        Agent.DnsSettings s = new Agent.DnsSettings(domain, altDomain == null ? "" : altDomain, dnsOnlyPassing,
                duration("-dns-node-ttl", dnsNodeTtl), serviceTtl, duration("-dns-negative-ttl", dnsNegativeTtl),
                upstream);
        try {
            s.toConfig(new InetSocketAddress("127.0.0.1", 0));
        } catch (IllegalArgumentException e) {
            throw new CliException("DNS settings: " + e.getMessage());
        }
        return s;
    }

    private static Duration duration(String flag, String value) {
        try {
            Duration d = GoDuration.parse(value);
            if (d.isNegative()) {
                throw new CliException(flag + ": \"" + value + "\" must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new CliException(flag + ": " + e.getMessage());
        }
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
