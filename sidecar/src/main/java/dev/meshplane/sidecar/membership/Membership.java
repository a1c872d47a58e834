package dev.meshplane.sidecar.membership;

import dev.meshplane.api.ApiException;
import dev.meshplane.proto.v1.JoinRequest;
import dev.meshplane.proto.v1.JoinResponse;
import dev.meshplane.proto.v1.KeyringRequest;
import dev.meshplane.proto.v1.KeyringResponse;
import dev.meshplane.proto.v1.MembersResponse;
import dev.meshplane.proto.v1.PoolMember;
import dev.meshplane.sidecar.gossip.GossipAgent;
import dev.meshplane.sidecar.gossip.Member;
import dev.meshplane.sidecar.gossip.NodeAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;

/**
 * The gossip side of the agent's API (Members, Join, Leave, Keyring). Attached once the pools
 * are running; until then, and on an agent started with -serf-lan-port -1, every call is
 * FAILED_PRECONDITION naming why.
 */
public final class Membership {
    private static final Logger LOG = Logger.getLogger(Membership.class.getName());
    /** Consul's default gossip ports, used when a join address gives none. */
    public static final int DEFAULT_LAN_PORT = 8301;
    public static final int DEFAULT_WAN_PORT = 8302;

    private volatile GossipPools pools;
    private volatile Runnable afterLeave = () -> { };

    /** Starts answering with these pools; {@code afterLeave} stops the agent once it has left. */
    public void attach(GossipPools pools, Runnable afterLeave) {
        this.pools = pools;
        this.afterLeave = afterLeave;
    }

    /** The pools, or null while none are attached. */
    public GossipPools pools() {
        return pools;
    }

    private GossipPools required() {
        GossipPools p = pools;
        if (p == null) {
            throw ApiException.failedPrecondition("gossip is not running on this agent (started with -serf-lan-port -1)");
        }
        return p;
    }

    public MembersResponse members(boolean wan) {
        List<Member> members = new ArrayList<>(required().pool(wan).members());
        members.sort(Comparator.comparing(Member::name));
        MembersResponse.Builder out = MembersResponse.newBuilder();
        for (Member m : members) {
            out.addMembers(PoolMember.newBuilder().setName(m.name()).setAddress(m.address().host())
                    .setPort(m.address().port()).setStatus(MemberStatusNames.name(m.status())).putAllTags(m.tags()));
        }
        return out.build();
    }

    public JoinResponse join(JoinRequest request) {
        GossipAgent pool = required().pool(request.getWan());
        if (request.getAddressesCount() == 0) {
            throw ApiException.invalidArgument("addresses", "give at least one address to join");
        }
        List<NodeAddress> seeds = new ArrayList<>();
        for (int i = 0; i < request.getAddressesCount(); i++) {
            seeds.add(parseAddress("addresses[" + i + "]", request.getAddresses(i),
                    request.getWan() ? DEFAULT_WAN_PORT : DEFAULT_LAN_PORT));
        }
        try {
            int joined = pool.join(seeds);
            return JoinResponse.newBuilder().setJoined(joined).build();
        } catch (IOException e) {
            throw ApiException.unavailable(e.getMessage());
        }
    }

    /** Leaves every pool, then (on another thread, after the answer is sent) stops the agent. */
    public void leave() {
        GossipPools p = required();
        p.leave(GossipPools.LEAVE_DRAIN);
        Runnable stop = afterLeave;
        Thread.ofVirtual().name("agent-leave").start(() -> {
            try {
                // Let the answer reach the caller before the listeners go away.
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.info("left gracefully; stopping the agent");
            stop.run();
        });
    }

    public KeyringResponse keyring(KeyringRequest request) {
        GossipAgent pool = required().pool(request.getWan());
        KeyringOps.check(request);
        if (request.getLocalOnly()) {
            return KeyringResponse.newBuilder().addResults(KeyringOps.applyLocally(pool, request)).build();
        }
        return KeyringOps.fanOut(pool, request);
    }

    /** {@code host:port} or {@code host} (default port); an IPv6 literal in brackets. */
    public static NodeAddress parseAddress(String field, String text, int defaultPort) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw ApiException.invalidArgument(field, "address must not be empty");
        }
        boolean hasPort = t.startsWith("[") ? t.contains("]:") : t.indexOf(':') > 0 && t.indexOf(':') == t.lastIndexOf(':');
        try {
            return hasPort ? NodeAddress.parse(t) : new NodeAddress(t.replace("[", "").replace("]", ""), defaultPort);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidArgument(field, e.getMessage());
        }
    }
}
