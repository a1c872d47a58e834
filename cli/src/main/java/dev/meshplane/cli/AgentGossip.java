package dev.meshplane.cli;

import dev.meshplane.controlplane.ControlPlane;
import dev.meshplane.controlplane.cluster.ReplicatedLog;
import dev.meshplane.controlplane.cluster.ServerDiscovery;
import dev.meshplane.controlplane.membership.MembershipReconciler;
import dev.meshplane.controlplane.membership.PoolMember;
import dev.meshplane.sidecar.Sidecar;
import dev.meshplane.sidecar.gossip.GossipAgent;
import dev.meshplane.sidecar.gossip.GossipAgentConfig;
import dev.meshplane.sidecar.gossip.GossipConfig;
import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import dev.meshplane.sidecar.membership.AgentTags;
import dev.meshplane.sidecar.membership.GossipPools;
import dev.meshplane.sidecar.rpc.ServerAddresses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Gossip wired into the agent: the LAN pool (and the WAN pool on servers) started with this
 * agent's tags, joined through -retry-join, and its events fed to whoever needs them: the
 * catalog reconciler and Raft's server discovery on a server, the list of server RPC addresses
 * on a client agent. Stopping leaves the pools gracefully first.
 */
final class AgentGossip implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("agent");
    /** A server's WAN gossip port, in its LAN tags. */
    static final String WAN_PORT_TAG = "wan_port";
    /** How long a dev agent's start waits for the reconciler to mark its own node. */
    private static final java.time.Duration FIRST_RECONCILE_WAIT = java.time.Duration.ofSeconds(10);

    private final GossipPools pools;
    private final String datacenter;
    private final ControlPlane server;
    private final ServerAddresses servers;
    private final RetryJoin retryJoin;
    private final RetryJoin retryJoinWan;

    private AgentGossip(GossipPools pools, String datacenter, ControlPlane server, ServerAddresses servers,
                        List<String> joinAddresses, List<String> wanJoinAddresses) {
        this.pools = pools;
        this.datacenter = datacenter;
        this.server = server;
        this.servers = servers;
        this.retryJoin = joinAddresses.isEmpty() ? null : RetryJoin.lan(pools.lan(), joinAddresses);
        this.retryJoinWan = wanJoinAddresses.isEmpty() || pools.wan() == null ? null
                : RetryJoin.wan(pools.wan(), wanJoinAddresses);
    }

    /**
     * Starts the pools and the wiring; joining runs in the background.
     *
     * @param server  the server role, or null on a client agent
     * @param servers the client agent's server addresses to keep up to date, or null on a server
     */
    static AgentGossip start(Agent.Settings s, Sidecar sidecar, ControlPlane server, int rpcPort,
                             ServerAddresses servers, Runnable stopAgent) throws IOException {
        GossipSettings g = s.gossip();
        boolean serverRole = server != null;
        Map<String, String> tags = new java.util.LinkedHashMap<>(AgentTags.of(serverRole, s.datacenter(), rpcPort,
                VersionCommand.version(), sidecar.grpcAddress().getPort()));
        GossipAgent wan = null;
        if (serverRole && g.wanPort() >= 0 && s.mode() != Agent.Mode.DEV) {
            // Consul names WAN members node.datacenter: one pool spans datacenters.
            String advertiseWan = g.advertiseWan() != null ? g.advertiseWan() : s.advertiseHost();
            wan = startPool("WAN", s.nodeName() + "." + s.datacenter(), s.bindHost(), advertiseWan, g.wanPort(), tags,
                    g.wan(), g.encryptKey());
            // Servers of the datacenter find each other's WAN pool through the LAN (flood join).
            tags.put(WAN_PORT_TAG, String.valueOf(wan.address().port()));
        }
        GossipAgent lan;
        try {
            lan = startPool("LAN", s.nodeName(), s.bindHost(), s.advertiseHost(), g.lanPort(), tags, g.lan(),
                    g.encryptKey());
        } catch (IOException | RuntimeException e) {
            if (wan != null) {
                wan.close();
            }
            throw e;
        }
        GossipPools pools = new GossipPools(lan, wan);
        AgentGossip wiring = new AgentGossip(pools, s.datacenter(), server, servers, s.joinAddresses(),
                g.retryJoinWan());
        lan.addListener(wiring::onLanEvent);
        if (server != null) {
            server.membership().setPool(wiring::poolMembers);
            if (s.mode() == Agent.Mode.DEV) {
                // A dev server leads from the start and its node's serfHealth now comes from the
                // reconciler: have it written before the agent reports started, so a session can
                // be created at once (sessions need serfHealth).
                awaitFirstReconcile(server);
            }
        }
        wiring.onLanEvent(null);
        sidecar.membership().attach(pools, stopAgent);
        if (wiring.retryJoin != null) {
            wiring.retryJoin.start();
        }
        if (wiring.retryJoinWan != null) {
            wiring.retryJoinWan.start();
        }
        return wiring;
    }

    private static void awaitFirstReconcile(ControlPlane server) {
        try {
            server.membership().awaitIdle(FIRST_RECONCILE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("gossip: the node's serfHealth was not written within " + FIRST_RECONCILE_WAIT
                    + " (" + e + "); it will be on the next reconcile pass");
        }
    }

    private static GossipAgent startPool(String which, String name, String bind, String advertise, int port,
                                         Map<String, String> tags, GossipConfig config, String key) throws IOException {
        Keyring keyring = key == null ? Keyring.empty() : Keyring.of(key);
        GossipAgentConfig c = new GossipAgentConfig(name, bind, port, advertise, tags, config, keyring,
                keyring.isEmpty() ? EncryptionMode.PLAINTEXT : EncryptionMode.ENFORCED);
        try {
            GossipAgent agent = GossipAgent.start(c);
            LOG.info(which + " gossip on " + bind + ":" + agent.address().port() + ", advertised as " + agent.address()
                    + (keyring.isEmpty() ? " (plaintext)" : " (AES-GCM)"));
            return agent;
        } catch (java.net.BindException e) {
            throw new CliException("cannot listen for " + which + " gossip on " + bind + ":" + port + ": "
                    + e.getMessage() + " (-serf-" + which.toLowerCase(java.util.Locale.ROOT) + "-port)");
        } catch (IllegalArgumentException e) {
            throw new CliException((which.equals("WAN") ? "-advertise-wan: " : "-advertise: ") + advertise
                    + " cannot be used for " + which + " gossip: " + e.getMessage());
        }
    }

    GossipPools pools() {
        return pools;
    }

    /** A member event (or null at start): tells the reconciler, Raft and the client's server list. */
    private void onLanEvent(GossipEvent event) {
        if (event instanceof GossipEvent.NameConflict c) {
            LOG.warning("gossip: two members named " + c.name() + " at " + c.known() + " and " + c.other());
            return;
        }
        if (event instanceof GossipEvent.MemberEvent e) {
            if (server != null) {
                server.membership().memberChanged(poolMember(e.member(), e.kind() == GossipEvent.Kind.REAPED));
                if (server.consensus() instanceof ReplicatedLog log) {
                    tellRaft(log.discovery(), e);
                }
            }
        }
        if (servers != null) {
            servers.setLearned(serverRpcAddresses(pools.lan().members()));
        }
    }

    private void tellRaft(ServerDiscovery discovery, GossipEvent.MemberEvent e) {
        Member m = e.member();
        if (!isServerOfThisDatacenter(m) || m.rpcPort().isEmpty()) {
            return;
        }
        switch (e.kind()) {
            case JOINED, UPDATED -> {
                discovery.serverAlive(m.name(), m.address().host() + ":" + m.rpcPort().get());
                floodJoinWan(m);
            }
            case FAILED -> discovery.serverFailed(m.name());
            case LEFT, REAPED -> discovery.serverLeft(m.name());
            case SUSPECTED -> { }
        }
    }

    /** Joins a LAN server's WAN pool when ours does not know it alive yet (Consul's flood join). */
    private void floodJoinWan(Member m) {
        GossipAgent wan = pools.wan();
        String port = m.tags().get(WAN_PORT_TAG);
        if (wan == null || port == null || m.name().equals(pools.lan().local().name())) {
            return;
        }
        String wanName = m.name() + "." + datacenter;
        boolean known = wan.members().stream().anyMatch(w -> w.name().equals(wanName) && !w.status().isDeadOrLeft());
        if (known) {
            return;
        }
        Thread.ofVirtual().name("wan-flood-join").start(() -> {
            try {
                wan.join(List.of(new dev.meshplane.sidecar.gossip.NodeAddress(m.address().host(), Integer.parseInt(port))));
                LOG.info("joined " + wanName + " in the WAN pool (flood join through the LAN)");
            } catch (IOException | RuntimeException x) {
                LOG.fine(() -> "WAN flood join of " + wanName + " failed: " + x.getMessage());
            }
        });
    }

    private boolean isServerOfThisDatacenter(Member m) {
        return m.role().filter(AgentTags.ROLE_SERVER::equals).isPresent()
                && m.datacenter().filter(datacenter::equals).isPresent();
    }

    private List<String> serverRpcAddresses(List<Member> members) {
        List<String> out = new ArrayList<>();
        for (Member m : members) {
            if (!m.status().isDeadOrLeft() && isServerOfThisDatacenter(m) && m.rpcPort().isPresent()) {
                out.add(m.address().host() + ":" + m.rpcPort().get());
            }
        }
        return out;
    }

    private List<PoolMember> poolMembers() {
        return pools.lan().members().stream().map(m -> poolMember(m, false)).toList();
    }

    private static PoolMember poolMember(Member m, boolean reaped) {
        PoolMember.State state = reaped ? PoolMember.State.REAPED : switch (m.status()) {
            case ALIVE, SUSPECT -> PoolMember.State.ALIVE;
            case DEAD -> PoolMember.State.FAILED;
            case LEFT -> PoolMember.State.LEFT;
        };
        return new PoolMember(m.name(), m.address().host(), m.datacenter().orElse(""), state);
    }

    /** Leaves both pools gracefully (unless already left), then stops them. */
    @Override
    public void close() {
        if (retryJoin != null) {
            retryJoin.stop();
        }
        if (retryJoinWan != null) {
            retryJoinWan.stop();
        }
        if (!pools.hasLeft() && !pools.isClosed()) {
            pools.leave(GossipPools.LEAVE_DRAIN);
        }
        pools.close();
    }
}
