package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.core.GossipMessage.Broadcast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Pending broadcasts, at most one per member (a newer one replaces the older). Packets take
 * the least-transmitted first, so fresh news spreads before old news is repeated; an entry is
 * dropped once sent {@code limit} times (infection-style dissemination, as memberlist's
 * TransmitLimitedQueue). Entries sit in one tier per transmit count and are taken newest first
 * within a tier; taking and re-filing an entry is O(1).
 */
final class BroadcastQueue {
  /** Below this many free bytes no further message can fit, so stop looking. */
  private static final int SMALLEST_MESSAGE = 8;
  /**
   * Entries looked at without finding one that fits before giving up on filling the packet:
   * bounds the cost of a packet when thousands of similar-sized entries are queued.
   */
  private static final int MAX_MISSES = 64;

  private static final class Entry {
    final long id;
    final Broadcast message;
    final int size;
    int transmits;

    Entry(long id, Broadcast message, int size) {
      this.id = id;
      this.message = message;
      this.size = size;
    }
  }

  /** tiers.get(t) holds the entries sent t times. */
  private final List<LinkedHashSet<Entry>> tiers = new ArrayList<>();
  private final Map<String, Entry> byName = new HashMap<>();
  private long nextId;

  /** Queues {@code message}, replacing any queued one about the same member; returns its id. */
  long enqueue(Broadcast message) {
    Entry fresh = new Entry(++nextId, message, WireCodec.sizeInPacket(message));
    Entry old = byName.put(message.name(), fresh);
    if (old != null) {
      tiers.get(old.transmits).remove(old);
    }
    tier(0).add(fresh);
    return fresh.id;
  }

  /** Broadcasts that fit in {@code bytes}; each taken one counts a transmission. */
  List<GossipMessage> take(int bytes, int limit) {
    List<Entry> taken = new ArrayList<>();
    int free = bytes;
    int misses = 0;
    scan:
    for (LinkedHashSet<Entry> tier : tiers) {
      for (Iterator<Entry> it = tier.reversed().iterator(); it.hasNext(); ) {
        if (free < SMALLEST_MESSAGE || misses >= MAX_MISSES) {
          break scan;
        }
        Entry e = it.next();
        if (e.size <= free) {
          it.remove();
          taken.add(e);
          free -= e.size;
        } else {
          misses++;
        }
      }
    }
    List<GossipMessage> out = new ArrayList<>(taken.size());
    for (Entry e : taken) {
      e.transmits++;
      out.add(e.message);
      if (e.transmits >= limit) {
        byName.remove(e.message.name(), e);
      } else {
        tier(e.transmits).add(e);
      }
    }
    return out;
  }

  boolean isQueued(String name, long id) {
    Entry e = byName.get(name);
    return e != null && e.id == id;
  }

  int size() {
    return byName.size();
  }

  /** Drops the most-transmitted entries until at most {@code maxDepth} remain. */
  int prune(int maxDepth) {
    int dropped = 0;
    for (int t = tiers.size() - 1; t >= 0 && byName.size() > maxDepth; t--) {
      for (Iterator<Entry> it = tiers.get(t).iterator(); it.hasNext() && byName.size() > maxDepth; ) {
        Entry e = it.next();
        it.remove();
        byName.remove(e.message.name(), e);
        dropped++;
      }
    }
    return dropped;
  }

  private LinkedHashSet<Entry> tier(int transmits) {
    while (tiers.size() <= transmits) {
      tiers.add(new LinkedHashSet<>());
    }
    return tiers.get(transmits);
  }
}
