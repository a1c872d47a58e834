package dev.meshplane.sidecar.gossip;

import dev.meshplane.sidecar.gossip.core.CoreStats;
import dev.meshplane.sidecar.gossip.crypto.EncryptionMode;
import dev.meshplane.sidecar.gossip.crypto.Keyring;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import dev.meshplane.sidecar.gossip.net.GossipEndpoint;
import dev.meshplane.sidecar.gossip.net.JoinOutcome;
import dev.meshplane.sidecar.gossip.net.TransportStats;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One member of a gossip pool (LAN or WAN): start it, join through seeds, listen for
 * join/leave/fail/update events, leave gracefully, shut down. Thread-safe.
 */
public final class GossipAgent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GossipAgent.class.getName());

  private final GossipAgentConfig config;
  private final GossipEndpoint endpoint;
  private final ScheduledExecutorService worker;
  private final List<GossipListener> listeners;

  private GossipAgent(GossipAgentConfig config, GossipEndpoint endpoint, ScheduledExecutorService worker,
      List<GossipListener> listeners) {
    this.config = config;
    this.endpoint = endpoint;
    this.worker = worker;
    this.listeners = listeners;
  }

  /**
   * Binds and starts the member; it is alone until {@link #join} succeeds. Listeners given here
   * see every event from the first (this member's own JOINED); later ones see events from then on.
   */
  public static GossipAgent start(GossipAgentConfig config, GossipListener... initialListeners) throws IOException {
    ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gossip-events-" + config.name());
      t.setDaemon(true);
      return t;
    });
    List<GossipListener> listeners = new CopyOnWriteArrayList<>(List.of(initialListeners));
    try {
      GossipEndpoint endpoint = GossipEndpoint.open(config.name(), config.bindHost(), config.bindPort(),
          config.advertiseHost(), config.tags(), config.gossip(), new PacketSecurity(config.keyring(), config.encryption()),
          events -> worker.execute(() -> {
            for (GossipEvent event : events) {
              deliver(listeners, event);
            }
          }));
      GossipAgent agent = new GossipAgent(config, endpoint, worker, listeners);
      LOG.info(() -> "gossip member " + config.name() + " started at " + endpoint.address());
      return agent;
    } catch (IOException | RuntimeException e) {
      worker.shutdownNow();
      throw e;
    }
  }

  /**
   * Joins through the seeds; completes with the number that answered once at least one did,
   * retrying with back-off while none does, or fails after {@code retry.maxAttempts()}.
   */
  public CompletableFuture<Integer> join(List<NodeAddress> seeds, JoinRetry retry) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("join needs at least one seed address");
    }
    CompletableFuture<Integer> result = new CompletableFuture<>();
    attemptJoin(List.copyOf(seeds), retry, 1, result);
    return result;
  }

  /** One join attempt; blocks until every seed answered or failed. */
  public int join(List<NodeAddress> seeds) throws IOException {
    try {
      return join(seeds, JoinRetry.ONCE).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while joining", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  private void attemptJoin(List<NodeAddress> seeds, JoinRetry retry, int attempt, CompletableFuture<Integer> result) {
    List<CompletableFuture<JoinOutcome>> outcomes = endpoint.join(seeds);
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).whenCompleteAsync((ignored, error) -> {
      List<String> errors = new ArrayList<>();
      int joined = 0;
      for (CompletableFuture<JoinOutcome> f : outcomes) {
        JoinOutcome o = f.join();
        if (o.ok()) {
          joined++;
        } else {
          errors.add(o.seed() + ": " + o.error());
        }
      }
      if (joined > 0) {
        int count = joined;
        LOG.info(() -> config.name() + " joined through " + count + " of " + seeds.size() + " seeds");
        result.complete(joined);
        return;
      }
      if (retry.maxAttempts() != 0 && attempt >= retry.maxAttempts()) {
        result.completeExceptionally(new IOException("could not join through any of " + seeds + " after " + attempt
            + " attempt(s): " + String.join("; ", errors)));
        return;
      }
      Duration wait = retry.backoffAfter(attempt);
      LOG.warning(() -> config.name() + " join attempt " + attempt + " failed (" + String.join("; ", errors)
          + "); retrying in " + wait.toMillis() + " ms");
      worker.schedule(() -> attemptJoin(seeds, retry, attempt + 1, result), wait.toMillis(), TimeUnit.MILLISECONDS);
    }, worker);
  }

  /**
   * Announces a graceful leave and waits (up to {@code timeout}) until the intent has been
   * retransmitted; true if it was. Call {@link #close()} afterwards.
   */
  public boolean leave(Duration timeout) {
    try {
      endpoint.leave().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      LOG.warning(() -> config.name() + " leave intent not fully sent within " + timeout);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("leave failed: " + e.getCause(), e.getCause());
    }
  }

  /** Every known member, this one included, with its state as seen here. */
  public List<Member> members() {
    return endpoint.members();
  }

  public Member local() {
    return endpoint.local();
  }

  public NodeAddress address() {
    return endpoint.address();
  }

  /** Replaces this member's tags (e.g. a new build version); rejected above 512 bytes. */
  public void updateTags(Map<String, String> tags) {
    endpoint.updateTags(tags);
  }

  public void addListener(GossipListener listener) {
    listeners.add(listener);
  }

  public void removeListener(GossipListener listener) {
    listeners.remove(listener);
  }

  /** The live keyring: install/use/remove take effect on the next packet. */
  public Keyring keyring() {
    return config.keyring();
  }

  /** Switches outgoing encryption and incoming verification without a restart. */
  public void setEncryptionMode(EncryptionMode mode) {
    endpoint.security().setMode(mode);
  }

  public EncryptionMode encryptionMode() {
    return endpoint.security().mode();
  }

  public CoreStats coreStats() {
    return endpoint.coreStats();
  }

  public TransportStats transportStats() {
    return endpoint.stats();
  }

  /** Stops at once, without a leave: others will see this member fail. Same as {@link #close()}. */
  public void shutdown() {
    close();
  }

  /** Stops at once, without a leave: others will see this member fail. */
  @Override
  public void close() {
    endpoint.close();
    worker.shutdown();
  }

  private static void deliver(List<GossipListener> listeners, GossipEvent event) {
    for (GossipListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "gossip listener failed on " + event, e);
      }
    }
  }
}
