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
 * -retry-join in the background: every address is tried as a LAN gossip address (Consul's
 * meaning) until one answers, with back-off from 1 s doubling to Consul's 30 s. The same
 * addresses are also used as server RPC addresses (Raft's join, a client agent's relay), so a
 * list of server RPC ports keeps working; such an address never answers gossip, which is logged
 * once and then retried quietly.
 */
final class RetryJoin {
    private static final Logger LOG = Logger.getLogger("agent");
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final GossipAgent pool;
    private final List<NodeAddress> seeds = new ArrayList<>();
    private volatile boolean stopped;
    private Thread thread;

    RetryJoin(GossipAgent pool, List<String> addresses) {
        this.pool = pool;
        for (String a : addresses) {
            seeds.add(Membership.parseAddress("-retry-join", a, Membership.DEFAULT_LAN_PORT));
        }
    }

    void start() {
        thread = Thread.ofVirtual().name("retry-join").start(this::run);
    }

    private void run() {
        Duration wait = FIRST_BACKOFF;
        for (int attempt = 1; !stopped; attempt++) {
            try {
                int joined = pool.join(seeds);
                LOG.info("-retry-join: joined the LAN gossip pool through " + joined + " of " + seeds);
                return;
            } catch (IOException e) {
                Level level = attempt == 1 ? Level.INFO : Level.FINE;
                int n = attempt;
                LOG.log(level, () -> "-retry-join: no gossip answer from " + seeds + " (attempt " + n + ": "
                        + e.getMessage() + "); they are used as server RPC addresses too; retrying in the background");
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
