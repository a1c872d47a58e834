package dev.meshplane.sidecar.dns;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The instances of one service at one moment, as DNS sees them. Immutable, so the records built
 * for a question can be remembered with it: the next identical question only shuffles them.
 */
final class ServiceView {
    /** Distinct questions remembered per view (names x types x tags); beyond it answers are built each time. */
    private static final int MAX_MEMOS = 256;

    private final String service;
    private final List<Instance> instances;
    private final Map<String, Answer> memos = new ConcurrentHashMap<>();

    ServiceView(String service, List<Instance> instances) {
        this.service = service;
        this.instances = List.copyOf(instances);
    }

    String service() {
        return service;
    }

    List<Instance> instances() {
        return instances;
    }

    /** The answer remembered for {@code key}, building it once. */
    Answer memo(String key, Supplier<Answer> build) {
        Answer a = memos.get(key);
        if (a != null) {
            return a;
        }
        a = build.get();
        if (memos.size() < MAX_MEMOS) {
            memos.putIfAbsent(key, a);
        }
        return a;
    }
}
