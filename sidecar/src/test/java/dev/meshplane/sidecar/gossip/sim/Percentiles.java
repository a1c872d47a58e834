package dev.meshplane.sidecar.gossip.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of a sample of durations in milliseconds. */
public final class Percentiles {
  private final List<Long> values = new ArrayList<>();

  public void add(long value) {
    values.add(value);
  }

  public int count() {
    return values.size();
  }

  /** The nearest-rank p-th percentile (p in (0, 100]); -1 for an empty sample. */
  public long at(double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  public long max() {
    return values.isEmpty() ? -1 : Collections.max(values);
  }

  public String summary() {
    return String.format("n=%d p50=%s p99=%s max=%s", count(), seconds(at(50)), seconds(at(99)), seconds(max()));
  }

  public static String seconds(long millis) {
    return millis < 0 ? "-" : String.format("%.2fs", millis / 1000.0);
  }
}
