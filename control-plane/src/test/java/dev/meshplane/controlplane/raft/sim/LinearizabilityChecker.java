package dev.meshplane.controlplane.raft.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a history of KV operations is linearizable: whether each operation can be
 * placed at one instant between its call and its return so that, in that order, every result is
 * what a single register per key would give.
 *
 * <p>Keys are independent registers, so the history is checked key by key (linearizability is
 * compositional). For one key this is the Wing & Gong search with Lowe's memoization, as in
 * Porcupine: walk the call/return events in time order; at a call, try to linearize that
 * operation now (if the register allows its result), remove it and restart from the first
 * event; at a return whose operation is not yet linearized, undo the last choice. A set of
 * (linearized operations, register value) pairs already explored prunes repeats.
 */
final class LinearizabilityChecker {
    /** The verdict; on failure, the key and the operations on it. */
    record Result(boolean ok, String key, List<Operation> operations, String reason) {
        static final Result LINEARIZABLE = new Result(true, null, List.of(), "linearizable");
    }

    private final long stepBudget;

    LinearizabilityChecker(long stepBudget) {
        this.stepBudget = stepBudget;
    }

    Result check(List<Operation> history) {
        Map<String, List<Operation>> byKey = new TreeMap<>();
        for (Operation op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
            String verdict = checkRegister(e.getValue());
            if (verdict != null) {
                return new Result(false, e.getKey(), e.getValue(), verdict);
            }
        }
        return Result.LINEARIZABLE;
    }

    /** One event of the doubly linked list the search walks; a call points at its return. */
    private static final class Event {
        final int op;
        final boolean call;
        final long time;
        Event match;
        Event prev;
        Event next;

        Event(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Event call, String state) {}

    private record Seen(BitSet linearized, String state) {}

    /** Null if linearizable, else why not. */
    private String checkRegister(List<Operation> ops) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Event call = new Event(i, true, ops.get(i).call());
            Event ret = new Event(i, false, ops.get(i).ret());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // Sequence numbers are unique, except that unknown returns all sit at the end.
        events.sort(Comparator.comparingLong((Event e) -> e.time).thenComparing(e -> !e.call));
        Event head = new Event(-1, false, Long.MIN_VALUE);
        Event prev = head;
        for (Event e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }

        Deque<Frame> stack = new ArrayDeque<>();
        BitSet linearized = new BitSet(ops.size());
        Set<Seen> seen = new HashSet<>();
        String state = null; // absent
        Event entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (++steps > stepBudget) {
                return "search gave up after " + stepBudget + " steps (" + ops.size() + " operations)";
            }
            if (entry.call) {
                Operation op = ops.get(entry.op);
                Step step = apply(state, op);
                if (step.possible()) {
                    BitSet candidate = (BitSet) linearized.clone();
                    candidate.set(entry.op);
                    if (seen.add(new Seen(candidate, step.state()))) {
                        stack.push(new Frame(entry, state));
                        state = step.state();
                        linearized.set(entry.op);
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (stack.isEmpty()) {
                    return "no valid order: " + ops.get(entry.op) + " cannot be explained";
                }
                Frame top = stack.pop();
                state = top.state();
                linearized.clear(top.call().op);
                unlift(top.call());
                entry = top.call().next;
            }
        }
        return null;
    }

    /** Whether an operation fits the register, and the register's value after it (null: absent). */
    record Step(boolean possible, String state) {
        static final Step IMPOSSIBLE = new Step(false, null);
    }

    /**
     * What {@code op} does to a register holding {@code state} (null: absent), given the result
     * it reported; impossible if the register would have answered otherwise. An unknown result
     * accepts whatever the register does.
     */
    static Step apply(String state, Operation op) {
        return switch (op.kind()) {
            case PUT -> new Step(true, op.value());
            case GET -> {
                if (op.unknown()) {
                    yield new Step(true, state);
                }
                String read = Operation.ABSENT.equals(op.output()) ? null : op.output();
                yield Objects.equals(read, state) ? new Step(true, state) : Step.IMPOSSIBLE;
            }
            case CAS -> {
                boolean matches = Objects.equals(op.expected(), state);
                if (!op.unknown() && Boolean.parseBoolean(op.output()) != matches) {
                    yield Step.IMPOSSIBLE;
                }
                yield new Step(true, matches ? op.value() : state);
            }
        };
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Event ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
