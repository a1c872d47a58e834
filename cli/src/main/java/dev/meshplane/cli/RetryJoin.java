package dev.meshplane.cli;

import dev.meshplane.sidecar.gossip.GossipAgent;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.membership.Membership;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * -retry-join (and a server's -retry-join-wan) in the background: every address is tried as a
 * gossip address of the pool (Consul's meaning) until one answers, with back-off from 1 s
 * doubling to Consul's 30 s. -retry-join's addresses are also used as server RPC addresses
 * (Raft's join, a client agent's relay), so a list of server RPC ports keeps working; such an
 * address never answers gossip, which is logged once and then retried quietly.
 */
final class RetryJoin {
    private static final Logger LOG = Logger.getLogger("agent");
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final GossipAgent pool;
    private final String flag;
    private final String poolName;
    private final List<NodeAddress> seeds = new ArrayList<>();
    private volatile boolean stopped;
    private Thread thread;

    /** -retry-join: the LAN pool, addresses without a port on 8301. */
    static RetryJoin lan(GossipAgent pool, List<String> addresses) {
        return new RetryJoin(pool, "-retry-join", "LAN", addresses, Membership.DEFAULT_LAN_PORT);
    }

    /** -retry-join-wan: a server's WAN pool, addresses without a port on 8302. */
    static RetryJoin wan(GossipAgent pool, List<String> addresses) {
        return new RetryJoin(pool, "-retry-join-wan", "WAN", addresses, Membership.DEFAULT_WAN_PORT);
    }

    private RetryJoin(GossipAgent pool, String flag, String poolName, List<String> addresses, int defaultPort) {
        this.pool = pool;
        this.flag = flag;
        this.poolName = poolName;
        for (String a : addresses) {
            seeds.add(Membership.parseAddress(flag, a, defaultPort));
        }
    }

    void start() {
        thread = Thread.ofVirtual().name(flag.substring(1)).start(this::run);
    }

    private void run() {
        Duration wait = FIRST_BACKOFF;
        for (int attempt = 1; !stopped; attempt++) {
            try {
                int joined = pool.join(seeds);
                LOG.info(flag + ": joined the " + poolName + " gossip pool through " + joined + " of " + seeds);
                return;
            } catch (IOException e) {
                Level level = attempt == 1 ? Level.INFO : Level.FINE;
                int n = attempt;
                LOG.log(level, () -> flag + ": no " + poolName + " gossip answer from " + seeds + " (attempt " + n + ": "
                        + e.getMessage() + ")" + (poolName.equals("LAN") ? "; they are used as server RPC addresses too" : "")
                        + "; retrying in the background");
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
        }
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
