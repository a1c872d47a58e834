package dev.meshplane.sidecar.gossip.sim;

import dev.meshplane.sidecar.gossip.GossipEvent;
import dev.meshplane.sidecar.gossip.GossipEvent.Kind;
import dev.meshplane.sidecar.gossip.GossipEvent.MemberEvent;
import java.util.ArrayList;
import java.util.List;

/** Records every event of a simulation, with its time and observer. */
public final class EventLog implements SimCluster.Observer {
  public record Entry(long time, String observer, GossipEvent event) {}

  private final List<Entry> entries = new ArrayList<>();

  @Override
  public void onEvent(long time, SimNode observer, GossipEvent event) {
    entries.add(new Entry(time, observer.name, event));
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Member events of {@code kind} about {@code member}. */
  public List<Entry> about(String member, Kind kind) {
    return entries.stream().filter(e -> e.event instanceof MemberEvent m && m.kind() == kind
        && m.member().name().equals(member)).toList();
  }

  public List<Entry> ofKind(Kind kind) {
    return entries.stream().filter(e -> e.event instanceof MemberEvent m && m.kind() == kind).toList();
  }

  /** A digest of the whole history: equal for two runs of one seed. */
  public long fingerprint() {
    long h = 1125899906842597L;
    for (Entry e : entries) {
      h = 31 * h + e.time;
      h = 31 * h + e.observer.hashCode();
      h = 31 * h + e.event.toString().hashCode();
    }
    return h;
  }
}
