package dev.meshplane.sidecar.membership;

import dev.meshplane.api.ApiException;
import dev.meshplane.sidecar.gossip.GossipAgent;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The gossip pools one agent belongs to: the datacenter's LAN pool always, the WAN pool too on
 * a server. Leaving leaves both (WAN first, as Consul's servers do) and then runs the agent's
 * stop action, so `meshctl leave` ends with the process gone.
 */
public final class GossipPools implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GossipPools.class.getName());
    /** How long a leave waits for its intent to be retransmitted (Consul's leave_drain_time is 5 s). */
    public static final Duration LEAVE_DRAIN = Duration.ofSeconds(5);

    private final GossipAgent lan;
    private final GossipAgent wan;
    private volatile boolean left;
    private volatile boolean closed;

    /** @param wan the WAN pool, or null on an agent without one (client agents, -serf-wan-port -1) */
    public GossipPools(GossipAgent lan, GossipAgent wan) {
        if (lan == null) {
            throw new IllegalArgumentException("a LAN gossip agent must be given");
        }
        this.lan = lan;
        this.wan = wan;
    }

    public GossipAgent lan() {
        return lan;
    }

    /** The WAN pool, or null. */
    public GossipAgent wan() {
        return wan;
    }

    /** The pool asked for; a WAN request on an agent without a WAN pool is FAILED_PRECONDITION. */
    GossipAgent pool(boolean wanPool) {
        if (!wanPool) {
            return lan;
        }
        if (wan == null) {
            throw ApiException.failedPrecondition("this agent is in no WAN pool (only servers are, unless -serf-wan-port -1)");
        }
        return wan;
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean hasLeft() {
        return left;
    }

    /** Announces a graceful leave in each pool, waiting up to {@code drain} for each; idempotent. */
    public synchronized void leave(Duration drain) {
        if (left || closed) {
            return;
        }
        left = true;
        if (wan != null) {
            boolean sent = wan.leave(drain);
            LOG.info("left the WAN gossip pool" + (sent ? "" : " (leave intent not fully retransmitted in " + drain + ")"));
        }
        boolean sent = lan.leave(drain);
        LOG.info("left the LAN gossip pool" + (sent ? "" : " (leave intent not fully retransmitted in " + drain + ")"));
    }

    /** Stops both pools without leaving: other members will see this agent fail. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (wan != null) {
            wan.close();
        }
        lan.close();
    }
}
