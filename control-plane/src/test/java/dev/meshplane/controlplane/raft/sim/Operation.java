package dev.meshplane.controlplane.raft.sim;

/**
 * One client operation on the KV store as the history records it: invoked at {@code call},
 * answered at {@code ret} (event sequence numbers, so real-time order is exact). An operation
 * whose answer never came ({@code output == null}) returns at {@link #UNKNOWN_RETURN}: it may
 * or may not have taken effect, at any point after its call.
 *
 * @param value    PUT: the new value; CAS: the new value
 * @param expected CAS: the value it must replace (null: the key must be absent)
 * @param output   GET: the value read (null = absent is {@link #ABSENT}); PUT: "ok";
 *                 CAS: "true"/"false"; null when unknown
 */
record Operation(int client, Kind kind, String key, String value, String expected, String output,
                 long call, long ret) {

    enum Kind { PUT, GET, CAS }

    static final long UNKNOWN_RETURN = Long.MAX_VALUE;
    /** How a GET reports a missing key. */
    static final String ABSENT = "<absent>";

    Operation {
        if (ret <= call) {
            throw new IllegalArgumentException("operation returns at " + ret + " before its call at " + call);
        }
        if (output == null && ret != UNKNOWN_RETURN) {
            throw new IllegalArgumentException("an operation without output must return at UNKNOWN_RETURN");
        }
    }

    boolean unknown() {
        return output == null;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case PUT -> "put(" + key + "," + value + ")";
            case GET -> "get(" + key + ")";
            case CAS -> "cas(" + key + "," + expected + "->" + value + ")";
        };
        return "c" + client + " " + what + " -> " + (output == null ? "?" : output)
                + " [" + call + "," + (ret == UNKNOWN_RETURN ? "inf" : ret) + "]";
    }
}
