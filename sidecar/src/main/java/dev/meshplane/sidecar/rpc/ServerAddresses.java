package dev.meshplane.sidecar.rpc;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The server RPC addresses a client agent relays to: those learned from gossip (servers' tags),
 * in front, then the fixed ones given with -retry-join. The channel re-resolves whenever the
 * learned set changes, so servers that move or join are used without a restart.
 */
public final class ServerAddresses {
    private final List<String> fixed;
    private final List<Consumer<List<String>>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<String> learned = List.of();

    public ServerAddresses(List<String> fixed) {
        this.fixed = List.copyOf(fixed);
    }

    /** Learned first (gossip knows they are alive servers), then the fixed ones, without repeats. */
    public List<String> current() {
        Set<String> all = new LinkedHashSet<>(learned);
        all.addAll(fixed);
        return new ArrayList<>(all);
    }

    /** Replaces the addresses learned from gossip; listeners hear of a change. */
    public void setLearned(List<String> addresses) {
        List<String> next = List.copyOf(new LinkedHashSet<>(addresses));
        if (next.equals(learned)) {
            return;
        }
        learned = next;
        List<String> now = current();
        listeners.forEach(l -> l.accept(now));
    }

    void onChange(Consumer<List<String>> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<List<String>> listener) {
        listeners.remove(listener);
    }
}
