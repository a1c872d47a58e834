package dev.meshplane.sidecar.gossip.core;

import dev.meshplane.sidecar.gossip.core.GossipMessage.Broadcast;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pending broadcasts, at most one per member (a newer one replaces the older). Packets take
 * the least-transmitted first, so fresh news spreads before old news is repeated; an entry is
 * dropped once sent {@code limit} times (infection-style dissemination, memberlist's
 * TransmitLimitedQueue).
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

  /** Fewest transmits first, then the largest (harder to fit later), then the newest. */
  private static final Comparator<Entry> ORDER = (a, b) -> {
    if (a.transmits != b.transmits) {
      return Integer.compare(a.transmits, b.transmits);
    }
    if (a.size != b.size) {
      return Integer.compare(b.size, a.size);
    }
    return Long.compare(b.id, a.id);
  };

  private final TreeSet<Entry> ordered = new TreeSet<>(ORDER);
  private final Map<String, Entry> byName = new HashMap<>();
  private long nextId;

  /** Queues {@code message}, replacing any queued one about the same member; returns its id. */
  long enqueue(Broadcast message) {
    Entry fresh = new Entry(++nextId, message, WireCodec.sizeInPacket(message));
    Entry old = byName.put(message.name(), fresh);
    if (old != null) {
      ordered.remove(old);
    }
    ordered.add(fresh);
    return fresh.id;
  }

  /** Broadcasts that fit in {@code bytes}; each taken one counts a transmission. */
  List<GossipMessage> take(int bytes, int limit) {
    List<Entry> taken = new ArrayList<>();
    int free = bytes;
    int misses = 0;
    for (Entry e : ordered) {
      if (free < SMALLEST_MESSAGE || misses >= MAX_MISSES) {
        break;
      }
      if (e.size <= free) {
        taken.add(e);
        free -= e.size;
      } else {
        misses++;
      }
    }
    List<GossipMessage> out = new ArrayList<>(taken.size());
    for (Entry e : taken) {
      ordered.remove(e);
      e.transmits++;
      out.add(e.message);
      if (e.transmits >= limit) {
        byName.remove(e.message.name(), e);
      } else {
        ordered.add(e);
      }
    }
    return out;
  }

  boolean isQueued(String name, long id) {
    Entry e = byName.get(name);
    return e != null && e.id == id;
  }

  int size() {
    return ordered.size();
  }

  /** Drops the most-transmitted entries until at most {@code maxDepth} remain. */
  int prune(int maxDepth) {
    int dropped = 0;
    while (ordered.size() > maxDepth) {
      Entry last = ordered.pollLast();
      byName.remove(last.message.name(), last);
      dropped++;
    }
    return dropped;
  }
}
