package dev.meshplane.controlplane.watch;

/** Names of the things a blocking query can wait on. */
public final class WakeKeys {
    public static final String SERVICES = "services";
    public static final String NODES = "nodes";
    public static final String SESSIONS = "sessions";
    /** Woken by any change to any check. */
    public static final String CHECKS = "checks";
    /** Woken when the CA's roots change (a rotation, a prune, the first root). */
    public static final String CA_ROOTS = "ca-roots";
    /** Woken by any change to any intention. */
    public static final String INTENTIONS = "intentions";

    private WakeKeys() {}

    /** Woken by a change to any key starting with {@code prefix} (a single key waits on itself). */
    public static String kvPrefix(String prefix) {
        return "kv:" + prefix;
    }

    /** Woken by a change to any instance of the service, its checks or its node. */
    public static String service(String name) {
        return "svc:" + name;
    }

    /** Woken by a change to the node, its services or its checks. */
    public static String node(String name) {
        return "node:" + name;
    }
}
