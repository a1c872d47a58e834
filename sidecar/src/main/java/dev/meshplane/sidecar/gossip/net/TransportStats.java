package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.Rejection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one gossip transport; readable from any thread. */
public final class TransportStats {
  final AtomicLong packetsSent = new AtomicLong();
  final AtomicLong packetsReceived = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong bytesReceived = new AtomicLong();
  final AtomicLong malformed = new AtomicLong();
  final AtomicLong sendFailures = new AtomicLong();
  final AtomicLong streamsOut = new AtomicLong();
  final AtomicLong streamsIn = new AtomicLong();
  final AtomicLong streamFailures = new AtomicLong();
  final AtomicLong pushPullsRefused = new AtomicLong();
  private final Map<Rejection, AtomicLong> dropped = new EnumMap<>(Rejection.class);

  TransportStats() {
    for (Rejection r : Rejection.values()) {
      dropped.put(r, new AtomicLong());
    }
  }

  void drop(Rejection reason) {
    dropped.get(reason).incrementAndGet();
  }

  /** Packets and frames dropped because they could not be decrypted, or were plaintext when refused. */
  public long dropped(Rejection reason) {
    return dropped.get(reason).get();
  }

  public long droppedTotal() {
    return dropped.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long packetsSent() {
    return packetsSent.get();
  }

  public long packetsReceived() {
    return packetsReceived.get();
  }

  public long bytesSent() {
    return bytesSent.get();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** Packets or frames that decrypted (or were plaintext) but did not decode to valid messages. */
  public long malformed() {
    return malformed.get();
  }

  public long sendFailures() {
    return sendFailures.get();
  }

  public long streamsOut() {
    return streamsOut.get();
  }

  public long streamsIn() {
    return streamsIn.get();
  }

  public long streamFailures() {
    return streamFailures.get();
  }

  public long pushPullsRefused() {
    return pushPullsRefused.get();
  }

  @Override
  public String toString() {
    return "packets sent=" + packetsSent + " received=" + packetsReceived + " dropped=" + dropped
        + " malformed=" + malformed + " streams out=" + streamsOut + " in=" + streamsIn
        + " failed=" + streamFailures + " refused=" + pushPullsRefused;
  }
}
