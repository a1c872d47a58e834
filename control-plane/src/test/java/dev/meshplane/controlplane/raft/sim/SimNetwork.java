package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.proto.internal.v1.MessageType;
import dev.meshplane.proto.internal.v1.RaftMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * An in-memory network that loses, duplicates, delays and reorders messages, and can be cut by
 * symmetric or asymmetric partitions (blocked directed links). A snapshot message carries the
 * snapshot data beside it, as a driver would stream it.
 */
final class SimNetwork {
    /** A message in flight; {@code lost} ones still travel so that the sender learns of it. */
    record Envelope(RaftMessage message, byte[] snapshotData, long deliverAt, long seq, int senderIncarnation, boolean lost) {}

    private final RandomGenerator random;
    private final SimOptions options;
    private final PriorityQueue<Envelope> inFlight = new PriorityQueue<>(
            (a, b) -> a.deliverAt() != b.deliverAt() ? Long.compare(a.deliverAt(), b.deliverAt()) : Long.compare(a.seq(), b.seq()));
    private final Set<String> blocked = new HashSet<>();
    private long seq;
    /** After the faults stop: no loss, duplication or long delays. */
    private boolean calm;
    long sent;
    long dropped;

    SimNetwork(RandomGenerator random, SimOptions options) {
        this.random = random;
        this.options = options;
    }

    void send(RaftMessage m, byte[] snapshotData, long now, int senderIncarnation) {
        sent++;
        boolean lost = isBlocked(m.getFrom(), m.getTo()) || (!calm && random.nextDouble() < options.lossRate());
        enqueue(m, snapshotData, now, senderIncarnation, lost);
        if (!lost && !calm && random.nextDouble() < options.duplicateRate()) {
            enqueue(m, snapshotData, now, senderIncarnation, false);
        }
    }

    private void enqueue(RaftMessage m, byte[] snapshotData, long now, int incarnation, boolean lost) {
        long delay = 1 + random.nextInt(options.maxDelay());
        if (!calm && random.nextDouble() < options.slowMessageRate()) {
            delay += random.nextInt(20 * SimOptions.STEPS_PER_TICK);
        }
        if (m.getType() == MessageType.MESSAGE_TYPE_SNAPSHOT) {
            delay += SimOptions.STEPS_PER_TICK; // streaming the data takes a while
        }
        inFlight.add(new Envelope(m, snapshotData, now + delay, seq++, incarnation, lost));
    }

    /** Messages due at {@code now}, in order; those crossing a (new) partition are marked lost. */
    List<Envelope> due(long now) {
        List<Envelope> out = new ArrayList<>();
        while (!inFlight.isEmpty() && inFlight.peek().deliverAt() <= now) {
            Envelope e = inFlight.poll();
            if (!e.lost() && isBlocked(e.message().getFrom(), e.message().getTo())) {
                e = new Envelope(e.message(), e.snapshotData(), e.deliverAt(), e.seq(), e.senderIncarnation(), true);
            }
            if (e.lost()) {
                dropped++;
            }
            out.add(e);
        }
        return out;
    }

    boolean isBlocked(String from, String to) {
        return blocked.contains(from + ">" + to);
    }

    /** Cuts the network into two groups that cannot reach each other. */
    void partition(List<String> sideA, List<String> sideB) {
        blocked.clear();
        for (String a : sideA) {
            for (String b : sideB) {
                blocked.add(a + ">" + b);
                blocked.add(b + ">" + a);
            }
        }
    }

    /** Blocks single directions: a node that can send but not receive, or the other way round. */
    void blockOneWay(String from, String to) {
        blocked.add(from + ">" + to);
    }

    void heal() {
        blocked.clear();
    }

    void calmDown() {
        calm = true;
        heal();
    }

    String describePartition() {
        return blocked.isEmpty() ? "none" : blocked.stream().sorted().toList().toString();
    }
}
