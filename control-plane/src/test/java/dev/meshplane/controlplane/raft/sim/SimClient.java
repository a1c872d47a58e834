package dev.meshplane.controlplane.raft.sim;

import dev.meshplane.controlplane.raft.ProposeResult;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A client issuing one operation at a time (put, get or compare-and-set on a few keys) to the
 * server it believes leads, with a timeout. Rejected attempts never happened; timed-out writes
 * enter the history with an unknown outcome; timed-out reads are dropped (they changed nothing).
 */
final class SimClient {
    /** The operation waiting for an answer. */
    private record InFlight(long opId, Operation.Kind kind, String key, String value, String expected, long call,
                            long deadline) {}

    static final int TIMEOUT_STEPS = 25 * SimOptions.STEPS_PER_TICK;

    private final int id;
    private final Simulation sim;
    private final RandomGenerator random;
    private final List<String> keys;
    private String leaderGuess = "";
    private long idleUntil;
    private InFlight current;
    private int written;
    private String lastSeen;
    private int refusals;
    /** The server that last turned a request away without naming a leader: try others first. */
    private String lastRefused = "";

    SimClient(int id, Simulation sim, RandomGenerator random, List<String> keys) {
        this.id = id;
        this.sim = sim;
        this.random = random;
        this.keys = keys;
    }

    boolean waitingFor(long opId) {
        return current != null && current.opId() == opId;
    }

    void step(long now) {
        if (current != null) {
            if (now > current.deadline()) {
                sim.count("timeouts");
                if (current.kind() != Operation.Kind.GET) {
                    sim.record(new Operation(id, current.kind(), current.key(), current.value(), current.expected(),
                            null, current.call(), Operation.UNKNOWN_RETURN));
                }
                current = null;
                leaderGuess = "";
                idleUntil = now + random.nextInt(5);
            }
            return;
        }
        if (now < idleUntil) {
            return;
        }
        SimNode node = sim.pickServer(leaderGuess, lastRefused);
        if (node == null) {
            idleUntil = now + 5;
            return;
        }
        String key = keys.get(random.nextInt(keys.size()));
        long opId = sim.newOpId();
        int dice = random.nextInt(10);
        if (dice < 4) {
            write(node, now, new KvStore.Command(opId, Operation.Kind.PUT, key, "c" + id + "-" + ++written, null));
        } else if (dice < 6) {
            String expected = random.nextBoolean() ? lastSeen : null;
            write(node, now, new KvStore.Command(opId, Operation.Kind.CAS, key, "c" + id + "-" + ++written, expected));
        } else {
            read(node, now, opId, key);
        }
    }

    private void write(SimNode node, long now, KvStore.Command c) {
        long call = sim.nextEvent();
        ProposeResult r = node.write(c.opId(), c);
        if (r instanceof ProposeResult.Rejected rejected) {
            sim.count("rejected-" + rejected.reason() + (rejected.leaderHint().isEmpty() ? "" : "-hinted"));
            leaderGuess = rejected.leaderHint();
            lastRefused = node.id;
            backOff(now);
            return;
        }
        current = new InFlight(c.opId(), c.kind(), c.key(), c.value(), c.expected(), call, now + TIMEOUT_STEPS);
        sim.awaiting(c.opId(), this);
    }

    private void read(SimNode node, long now, long opId, String key) {
        long call = sim.nextEvent();
        if (sim.options().mutation() == SimOptions.Mutation.STALE_READS) {
            String value = node.staleRead(key);
            sim.record(new Operation(id, Operation.Kind.GET, key, null, null, value, call, sim.nextEvent()));
            lastSeen = Operation.ABSENT.equals(value) ? null : value;
            idleUntil = now + random.nextInt(10);
            return;
        }
        if (!node.read(opId, key)) {
            sim.count("rejected-read");
            leaderGuess = "";
            lastRefused = node.id;
            backOff(now);
            return;
        }
        current = new InFlight(opId, Operation.Kind.GET, key, null, null, call, now + TIMEOUT_STEPS);
        sim.awaiting(opId, this);
    }

    /** Retries soon after a first refusal, then less and less eagerly (up to about a tick). */
    private void backOff(long now) {
        refusals++;
        idleUntil = now + 1 + random.nextInt(Math.min(1 << Math.min(refusals, 5), 2 * SimOptions.STEPS_PER_TICK));
    }

    /** The server answered {@code opId}. */
    void answered(long opId, String output, long now, String server) {
        InFlight op = current;
        sim.record(new Operation(id, op.kind(), op.key(), op.value(), op.expected(), output, op.call(), sim.nextEvent()));
        if (op.kind() == Operation.Kind.GET) {
            lastSeen = Operation.ABSENT.equals(output) ? null : output;
        } else if (op.kind() == Operation.Kind.PUT || "true".equals(output)) {
            lastSeen = op.value();
        }
        current = null;
        refusals = 0;
        leaderGuess = server;
        idleUntil = now + random.nextInt(10);
    }

    /** The operation certainly did not take effect. */
    void failed(long now) {
        current = null;
        idleUntil = now + 1 + random.nextInt(3);
    }
}
